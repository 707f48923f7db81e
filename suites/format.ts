/** A duration as verdicts and evidence print it: whole milliseconds with the unit. */
export const ms = (x: number): string => `${Math.round(x)} ms`;

/** A duration as verdicts and evidence print it: whole milliseconds with the unit. */
export const ms = (x: number): string => `${Math.round(x)} ms`;
/** A tolerance parameter as `pushspec list` states it: seconds, no trailing zeros (1000 → "1 s"). */
export const secs = (x: number): string => `${x / 1000} s`;

/**
 * Observations recorded from real runs (report.json `observation`, 2026-12-02): the reference
 * fixture, its faults, and Prosody. Each is judged again by evaluate in test/evaluate/.
 */
export const boshRecorded = {
  'bosh.session': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.session", outcome: 'pass' as const, observation: {"status":200,"askedWait":3,"granted":{"sid":"29468778-5449-4356-a6ca-f58e0213e07f","wait":"2","hold":"1","requests":"2","inactivity":"30","polling":"5","ver":"1.6","from":"pushspec.localhost","xmpp:version":"1.0"}} },
    { name: "--fixture --fault bosh-session-attrs", recorded: "pushspec run --fixture --fault bosh-session-attrs --only bosh.session", outcome: 'fail' as const, observation: {"status":200,"askedWait":3,"granted":{"sid":"5b23e434-c3ea-439f-a490-c4a168bb24c2","wait":"2","hold":"2","from":"pushspec.localhost"}} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.session", outcome: 'pass' as const, observation: {"status":200,"askedWait":3,"granted":{"polling":"5","wait":"3","from":"anon.localhost","authid":"e3f3e7a8-5706-4b33-8681-86b3b0a8055d","secure":"true","requests":"2","inactivity":"10","sid":"e3f3e7a8-5706-4b33-8681-86b3b0a8055d","xmpp:version":"1.0","hold":"1","ver":"1.6"}} },
  ],
  'bosh.content': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.content", outcome: 'pass' as const, observation: {"asked":"application/xml; charset=utf-8","got":"application/xml; charset=utf-8"} },
    { name: "--fixture --fault bosh-content-ignored", recorded: "pushspec run --fixture --fault bosh-content-ignored --only bosh.content", outcome: 'fail' as const, observation: {"asked":"application/xml; charset=utf-8","got":"text/xml; charset=utf-8"} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.content", outcome: 'fail' as const, observation: {"asked":"application/xml; charset=utf-8","got":"text/xml; charset=utf-8"} },
  ],
  'bosh.wait': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.wait", outcome: 'pass' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.196,"rttMs":0.598},"rid":4019112484,"waitMs":2000,"heldMs":2000.5572810000003,"problem":null,"payloads":0} },
    { name: "--fixture --fault bosh-no-hold", recorded: "pushspec run --fixture --fault bosh-no-hold --only bosh.wait", outcome: 'fail' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":102.022,"rttMs":1.011},"rid":1583957535,"waitMs":2000,"heldMs":0.5236400000003414,"problem":null,"payloads":0} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.wait", outcome: 'pass' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.068,"rttMs":0.534},"rid":4061208752,"waitMs":3000,"heldMs":3003.41006,"problem":null,"payloads":0} },
  ],
  'bosh.hold-release': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.hold-release", outcome: 'pass' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.196,"rttMs":0.598},"heldRid":1004790583,"newRid":1004790584,"afterMs":1.596755999999914} },
    { name: "--fixture --fault bosh-hold-two", recorded: "pushspec run --fixture --fault bosh-hold-two --only bosh.hold-release", outcome: 'fail' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.392,"rttMs":0.696},"heldRid":1965891049,"newRid":1965891050,"afterMs":1599.1035629999997} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.hold-release", outcome: 'pass' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.068,"rttMs":0.534},"heldRid":3607274798,"newRid":3607274799,"afterMs":0.8323089999998956} },
  ],
  'bosh.rid-order': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.rid-order", outcome: 'pass' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.196,"rttMs":0.598},"jid":"7dbfa00e7b59@pushspec.localhost/pushspec","heldRid":1609603843,"newRid":1609603844,"gapMs":-2001.057991,"carriedBy":1609603843,"laterRid":null,"laterCarried":false} },
    { name: "--fixture --fault bosh-answer-newest", recorded: "pushspec run --fixture --fault bosh-answer-newest --only bosh.rid-order", outcome: 'fail' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.322,"rttMs":0.661},"jid":"74271ea2e9b7@pushspec.localhost/pushspec","heldRid":507588593,"newRid":507588594,"gapMs":1598.8903410000003,"carriedBy":507588594,"laterRid":null,"laterCarried":false} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.rid-order", outcome: 'pass' as const, observation: {"conditions":{"timeScale":1,"epsilonMs":101.068,"rttMs":0.534},"jid":"m_ukujkdvjrhgazephjlmj4l@anon.localhost/y0gwBP000LDG","heldRid":3324891571,"newRid":3324891572,"gapMs":-3000.4186969999996,"carriedBy":3324891571,"laterRid":null,"laterCarried":false} },
  ],
  'bosh.rid-window': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.rid-window", outcome: 'pass' as const, observation: {"rid":830695072,"status":200,"end":"complete","attrs":{"type":"terminate","condition":"item-not-found"}} },
    { name: "--fixture --fault bosh-rid-unchecked", recorded: "pushspec run --fixture --fault bosh-rid-unchecked --only bosh.rid-window", outcome: 'fail' as const, observation: {"rid":982357386,"status":200,"end":"complete","attrs":{}} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.rid-window", outcome: 'pass' as const, observation: {"rid":2326039,"status":200,"end":"complete","attrs":{"type":"terminate","condition":"item-not-found"}} },
  ],
  'bosh.rid-resend': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.rid-resend", outcome: 'pass' as const, observation: {"rid":1851274220,"original":["<message from=\"c01a799da777@pushspec.localhost/pushspec\" to=\"c01a799da777@pushspec.localhost/pushspec\" type=\"chat\" xmlns=\"jabber:client\"><body>pst-gxpclufr-0001-z</body></message>"],"again":["<message from=\"c01a799da777@pushspec.localhost/pushspec\" to=\"c01a799da777@pushspec.localhost/pushspec\" type=\"chat\" xmlns=\"jabber:client\"><body>pst-gxpclufr-0001-z</body></message>"],"againAttrs":{},"problem":null} },
    { name: "--fixture --fault bosh-no-resend-buffer", recorded: "pushspec run --fixture --fault bosh-no-resend-buffer --only bosh.rid-resend", outcome: 'fail' as const, observation: {"rid":1294857436,"original":["<message from=\"afb0e6286792@pushspec.localhost/pushspec\" to=\"afb0e6286792@pushspec.localhost/pushspec\" type=\"chat\" xmlns=\"jabber:client\"><body>pst-vtesmwmd-0001-z</body></message>"],"again":[],"againAttrs":{},"problem":null} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.rid-resend", outcome: 'pass' as const, observation: {"rid":137741193,"original":["<message type=\"chat\" xmlns=\"jabber:client\" xml:lang=\"en\" from=\"omvhtitafwwwcnib3wdv2vor@anon.localhost/kIgvmmqJ_llP\" to=\"omvhtitafwwwcnib3wdv2vor@anon.localhost/kIgvmmqJ_llP\"><body>pst-pduuxh6z-0001-z</body></message>"],"again":["<message type=\"chat\" xmlns=\"jabber:client\" xml:lang=\"en\" from=\"omvhtitafwwwcnib3wdv2vor@anon.localhost/kIgvmmqJ_llP\" to=\"omvhtitafwwwcnib3wdv2vor@anon.localhost/kIgvmmqJ_llP\"><body>pst-pduuxh6z-0001-z</body></message>"],"againAttrs":{"sid":"1655b3ab-f0c8-4c93-8f7b-72f4f58100ab"},"problem":null} },
  ],
  'bosh.terminate': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.terminate", outcome: 'pass' as const, observation: {"byeAttrs":{"type":"terminate"},"byePayloads":0,"nextRid":1794296407,"nextStatus":200,"nextAttrs":{"type":"terminate","condition":"item-not-found"}} },
    { name: "--fixture --fault bosh-terminate-ignored", recorded: "pushspec run --fixture --fault bosh-terminate-ignored --only bosh.terminate", outcome: 'fail' as const, observation: {"byeAttrs":{},"byePayloads":0,"nextRid":1825605670,"nextStatus":200,"nextAttrs":{}} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.terminate", outcome: 'warn' as const, observation: {"byeAttrs":{"sid":"7af07808-ac3e-43d3-a33f-fddab952bd69","type":"terminate"},"byePayloads":1,"nextRid":1952379622,"nextStatus":200,"nextAttrs":{"type":"terminate","condition":"item-not-found"}} },
  ],
  'bosh.no-chunked': [
    { name: "--fixture", recorded: "pushspec run --fixture --only bosh.no-chunked", outcome: 'pass' as const, observation: {"responses":4,"chunkedRids":[]} },
    { name: "--fixture --fault bosh-chunked", recorded: "pushspec run --fixture --fault bosh-chunked --only bosh.no-chunked", outcome: 'fail' as const, observation: {"responses":4,"chunkedRids":[3672977584,3672977585,3672977586,3672977587]} },
    { name: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host", recorded: "Prosody 0.12.3 (test/real-world/servers/prosody.ts), anonymous host --only bosh.no-chunked", outcome: 'pass' as const, observation: {"responses":5,"chunkedRids":[]} },
  ],
};

// The alerting lives in ./alerting (responsibility map, dedup/throttle, digest, channels); this
// module keeps the import path the workflow activities and the wiring already use.
export { createAlerting, type Alerting, type AlertingOptions, type AlertKind, type AlertRequest, type AlertOutcome } from './alerting';

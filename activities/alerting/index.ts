export { createAlerting, DEFAULT_DEDUP_WINDOW_MS, type Alerting, type AlertingOptions, type DigestResult, type RaiseOptions } from './alerting';
export { createChannels, AlertDeliveryError, type Channels, type MailMessage } from './channels';
export { problemClassOf, matchingClassesOf } from './classify';
export { pickRule, resolveResponsibility, type Responsibility, type ResponsibilityCriteria } from './responsibility';
export { ERROR_CLASSES, type AlertKind, type AlertOutcome, type AlertRequest, type ErrorClass } from './types';

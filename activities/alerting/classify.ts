import type { AlertRequest, ErrorClass } from './types';

// KSeF transport/availability failures: the data may be fine, KSeF (or the way to it) is not.
const UNAVAILABLE = /^KSEF_(TIMEOUT|SERVER_ERROR|NETWORK_ERROR|RATE_LIMITED|HTTP_ERROR|SEND_FAILED|STATUS_FAILED|GONE|INVALID_RESPONSE|UNAUTHORIZED|FORBIDDEN|AUTH.*|NO_PUBLIC_KEY|SESSION_UNKNOWN)$/;

/** The class of the underlying problem, independent of escalation. */
export function problemClassOf(request: Pick<AlertRequest, 'kind' | 'errorCode'>): ErrorClass {
  switch (request.kind) {
    case 'approval-needed':
      return 'approval';
    case 'stuck-processing':
    case 'ksef-availability':
      return 'ksef-unavailable';
    case 'rejection-spike':
    case 'time-to-fix-growth':
      return 'trend';
    case 'threshold-approaching':
      return 'threshold';
    case 'retries-exhausted':
      return 'retries-exhausted';
    case 'bus-factor':
      return 'bus-factor';
    case 'stuck-invoice':
      return 'sla';
    default:
      break;
  }
  const code = request.errorCode;
  if (code === 'APPROVAL_REQUIRED') return 'approval';
  if (/^KSEF_\d+$/.test(code) || code === 'KSEF_BUSINESS_REJECTION' || code === 'KSEF_PERMISSION_DENIED') return 'ksef-rejection';
  if (UNAVAILABLE.test(code)) return 'ksef-unavailable';
  return 'validation';
}

/** Classes a responsibility rule may name to catch this alert, most preferred first. */
export function matchingClassesOf(request: Pick<AlertRequest, 'kind' | 'errorCode'>): ErrorClass[] {
  const problem = problemClassOf(request);
  return request.kind === 'sla-missed' ? ['sla', problem] : [problem];
}

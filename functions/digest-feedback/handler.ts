import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { recordMailFeedback, type FeedbackOutcome } from '#lib/digests/feedback.ts';
import { log, observe } from '#lib/log.ts';
import { startup } from '#lib/startup.ts';

await startup('digest-feedback');

type SesFeedbackEvent = EventBridgeEvent<'Email Bounced' | 'Email Complaint Received', unknown>;

/** SES bounce and complaint events (EventBridge rule on the configuration set's events): suppress the address for its shop. */
const main = async (event: SesFeedbackEvent): Promise<FeedbackOutcome> => {
  const out = await recordMailFeedback(event.detail);
  log.info('SES feedback', { detailType: event['detail-type'], suppressed: out.suppressed.length, ...(out.ignored ? { ignored: out.ignored } : {}) });
  return out;
};

export const handler = middy<SesFeedbackEvent, FeedbackOutcome>().use(observe()).handler(main);

import { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { currentCursor, type EventCursor } from "../audit/events";
import { type TriggerBatch } from "../audit/events";
import { getConfig } from "../config";
import { getAuditStore } from "../services";
import { withDeadline } from "./deadline";
import { cursorLink } from "./eventLinks";
import { jsonReply, replyHeaders } from "./replies";

/** Seconds Power Automate waits before the next poll when all is delivered; an audit run comes every few minutes at most. */
export const triggerRetryAfterSeconds = 60;
/** Seconds it waits while more is waiting: a backlog drains at the flow's pace, not one answer a minute. */
export const triggerBacklogRetryAfterSeconds = 1;

/**
 * One poll of a polling trigger (Power Platform's polling protocol): the first poll answers 202 with a
 * Location holding the current cursor; later polls answer 202 with the same or an advanced cursor when
 * nothing new happened, or 200 with the new items and the advanced cursor. `readBatch` reads after a cursor.
 */
export async function answerTriggerPoll<Item>(
  request: HttpRequest,
  context: InvocationContext,
  poll: { route: string; cursor?: EventCursor; readBatch: (from: EventCursor) => Promise<TriggerBatch<Item>> },
): Promise<HttpResponseInit> {
  const retryAfter = { "retry-after": String(triggerRetryAfterSeconds) };
  if (!poll.cursor) {
    const cursor = await withDeadline(getConfig().http.deadlineInMs, () => currentCursor(getAuditStore()));
    return {
      status: 202,
      headers: { ...replyHeaders(context), ...retryAfter, location: cursorLink(request, poll.route, cursor) },
    };
  }
  const batch = await poll.readBatch(poll.cursor);
  const location = cursorLink(request, poll.route, batch.next);
  const wait = { "retry-after": String(batch.more ? triggerBacklogRetryAfterSeconds : triggerRetryAfterSeconds) };
  if (batch.value.length === 0) return { status: 202, headers: { ...replyHeaders(context), ...wait, location } };
  return jsonReply(context, 200, { value: batch.value }, { ...wait, location });
}

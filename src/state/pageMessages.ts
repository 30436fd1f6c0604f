import type { BackendChoice, Dtype, FaultReport } from '../worker/protocol';
import { faultOf } from '../worker/protocol';
import { messageOf } from './lensClient';

/**
 * What the page tells the user, kept by where it comes from: a message about one thing is replaced or cleared
 * by that thing alone (an alignment that works clears an alignment's error, never a load's failure).
 */
export type MessageSource = 'load' | 'align' | 'direction' | 'spectrum' | 'cache';

/** The order messages are shown in: what the rest depends on first. */
export const MESSAGE_SOURCES: readonly MessageSource[] = ['load', 'spectrum', 'direction', 'align', 'cache'];

export interface PageMessage {
  text: string;
  /** An error is something that went wrong; a notice says what the page did (a cancelled load, the pair that came back). */
  tone: 'error' | 'notice';
  /** The fault behind an error from the worker, as data (kind, repo, file, cause: worker/errorTransfer.ts). */
  fault?: FaultReport;
  /** A failed load whose fault a new try may cure (FaultReport.retryable): what Retry loads again. */
  retry?: LoadRequest;
}

/** A load as the user asked for it: what Retry repeats. */
export interface LoadRequest {
  pair: string;
  backend: BackendChoice;
  dtype: Dtype | '';
  fromLink: boolean;
}

export type PageMessages = Partial<Record<MessageSource, PageMessage>>;

/** An error as the page shows it: its words, and the fault behind it where the worker sent one. */
export function errorMessage(error: unknown): PageMessage {
  const fault = faultOf(error);
  return { text: messageOf(error), tone: 'error', ...(fault && { fault }) };
}

export const pageNotice = (text: string): PageMessage => ({ text, tone: 'notice' });

/** `messages` with `source`'s replaced (or removed, for undefined); the same object if nothing changes. */
export function withMessage(messages: PageMessages, source: MessageSource, message: PageMessage | undefined): PageMessages {
  if (messages[source] === message) return messages;
  const { [source]: _, ...others } = messages;
  return message ? { ...others, [source]: message } : others;
}

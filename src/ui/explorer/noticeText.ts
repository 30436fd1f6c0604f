import type { AlignResult } from '../../worker/protocol';

export interface NoticeInput {
  /** The text as typed. */
  text: string;
  /** The latest alignment, if any. */
  result?: Pick<AlignResult, 'truncated' | 'droppedChars' | 'tokens' | 'ms'>;
  /** An alignment is being computed. */
  computing: boolean;
  /** The pair's context in tokens. */
  maxLength?: number;
}

/**
 * The explorer's one-line notice under the text, first match wins: the text is
 * empty; it was cut to the model's context; an update is running; what the last
 * alignment took. Empty when there is nothing to say.
 */
export function noticeText({ text, result, computing, maxLength }: NoticeInput): string {
  if (text.trim().length === 0) return 'The text is empty: type or paste a text to see its aligned tokens.';
  if (result?.truncated) {
    const dropped = result.droppedChars
      ? ` ${result.droppedChars.toLocaleString()} characters beyond ${(text.length - result.droppedChars).toLocaleString()} were not tokenized.`
      : '';
    return `Long text: only the first ${maxLength} tokens (the model's context) were read.${dropped}`;
  }
  if (computing) return 'Updating…';
  if (result) return `${result.tokens.length} tokens · ${result.ms.toFixed(0)} ms`;
  return '';
}

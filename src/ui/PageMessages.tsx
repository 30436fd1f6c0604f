import { useShallow } from 'zustand/react/shallow';
import { MESSAGE_SOURCES, type MessageSource, type PageMessage } from '../state/pageMessages';
import { useLens } from '../state/store';

/** What the page says, by source: errors together in one alert, notices apart in a status line (state/pageMessages.ts). */
export function PageMessages() {
  const messages = useLens((s) => s.messages);
  const shown = MESSAGE_SOURCES.flatMap((source) => {
    const message = messages[source];
    return message ? [{ source, message }] : [];
  });
  const errors = shown.filter(({ message }) => message.tone === 'error');
  const notices = shown.filter(({ message }) => message.tone === 'notice');
  return (
    <>
      {errors.length > 0 && (
        <div className="error" data-testid="error" role="alert">
          {errors.map(({ source, message }) => (
            <MessageRow key={source} source={source} message={message} />
          ))}
        </div>
      )}
      {notices.length > 0 && (
        <div className="page-notice" data-testid="page-notice" role="status">
          {notices.map(({ source, message }) => (
            <MessageRow key={source} source={source} message={message} />
          ))}
        </div>
      )}
    </>
  );
}

function MessageRow({ source, message }: { source: MessageSource; message: PageMessage }) {
  const { dismissMessage, retryFailedLoad } = useLens(useShallow((s) => ({ dismissMessage: s.dismissMessage, retryFailedLoad: s.retryFailedLoad })));
  const { fault } = message;
  return (
    <div className="message" data-source={source} data-fault-kind={fault?.kind}>
      <span className="message-text">
        {message.text}
        {fault?.cause && (
          <details className="message-cause">
            <summary>What the runtime said</summary>
            <code>{fault.cause}</code>
          </details>
        )}
      </span>
      {message.retry && (
        <button type="button" className="message-retry" data-testid="message-retry" onClick={() => void retryFailedLoad()}>
          Retry
        </button>
      )}
      <button type="button" className="message-dismiss" onClick={() => dismissMessage(source)} aria-label={`Dismiss this ${message.tone}`}>
        ×
      </button>
    </div>
  );
}

import { useShallow } from 'zustand/react/shallow';
import { fieldNote } from '../../state/analysisInput';
import { useAnalysis } from '../../state/analysisStore';

/** The user's file: the picker, the column or field to read (asked when the file does not say), one line on what is read. */
export function DatasetFileRow() {
  const { file, column, setFile, setColumn } = useAnalysis(useShallow((s) => ({ file: s.file, column: s.column, setFile: s.setFile, setColumn: s.setColumn })));
  const note = fieldNote(file, column);
  const noun = file?.format === 'jsonl' ? 'field' : 'column';
  return (
    <div className="file-row">
      <input
        type="file"
        data-testid="dataset-file"
        aria-label="Dataset file"
        accept=".txt,.csv,.tsv,.jsonl,.ndjson"
        onChange={async (e) => {
          const chosen = e.currentTarget.files?.[0];
          if (chosen) setFile(chosen.name, new Uint8Array(await chosen.arrayBuffer()));
        }}
      />
      {file && file.fields.length > 1 && (
        <label>
          {noun} with the texts{' '}
          <select data-testid="dataset-column" value={column} onChange={(e) => setColumn(e.currentTarget.value)}>
            {!column && <option value="">choose…</option>}
            {file.fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
      )}
      {file && (
        <span className="muted">
          {file.name} ({file.format})
        </span>
      )}
      {note && (
        <p className="muted small field-note" data-testid="dataset-field-note">
          {note}
        </p>
      )}
    </div>
  );
}

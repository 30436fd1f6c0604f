import type { ComponentType } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { VIEWS, type ViewId } from '../shared/linkSchema';
import { useLens } from '../state/store';
import { AnalysisView } from './analysis/AnalysisView';
import { InstructionView } from './compare/InstructionView';
import { SimilarityView } from './compare/SimilarityView';
import { ExplorerView } from './explorer/ExplorerView';
import { LinkNotices } from './LinkNotices';
import { CacheManager } from './models/CacheManager';
import { ModelStatus } from './models/ModelStatus';
import { PairPicker } from './models/PairPicker';
import { SpectrumFile } from './models/SpectrumFile';
import { PageMessages } from './PageMessages';
import { RetrievalView } from './retrieval/RetrievalView';

/** Each view of the app; a view's id is its `view=` URL parameter. */
const VIEW_COMPONENTS: Partial<Record<ViewId, { label: string; component: ComponentType }>> = {
  explorer: { label: 'Explorer', component: ExplorerView },
  analysis: { label: 'Analysis', component: AnalysisView },
  instructions: { label: 'Instructions', component: InstructionView },
  similarity: { label: 'Similarity', component: SimilarityView },
  retrieval: { label: 'Retrieval', component: RetrievalView },
};

export function App() {
  const { view, setView } = useLens(useShallow((s) => ({ view: s.view, setView: s.setView })));

  const Current = (VIEW_COMPONENTS[view] ?? VIEW_COMPONENTS.explorer!).component;

  return (
    <div className="app">
      <header className="top">
        <div>
          <h1>Embedding Lens</h1>
          <p className="tagline">
            What an LLM text embedding says in tokens: <code>z = W·h</code>, the base model's LM head times the pooled embedding (Nie, Zhang &amp; Wu, ACL
            2025).
          </p>
        </div>
        <div className="model-side">
          <ModelStatus />
          <PairPicker />
          <SpectrumFile />
          <CacheManager />
        </div>
      </header>

      <nav className="views" aria-label="Views">
        {VIEWS.filter((id) => id in VIEW_COMPONENTS).map((id) => (
          <button key={id} type="button" data-testid={`view-${id}`} aria-current={view === id ? 'page' : undefined} onClick={() => setView(id)}>
            {VIEW_COMPONENTS[id]?.label}
          </button>
        ))}
      </nav>

      <LinkNotices />

      <PageMessages />

      <main>
        <Current />
      </main>
    </div>
  );
}

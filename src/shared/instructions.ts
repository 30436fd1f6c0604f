import { applyTemplate, PROMPT_EOL_TEMPLATE } from './manifest';

/**
 * The Instructions view's default templates for a pair, from the template its embedder reads (the manifest's
 * `embed.template`; undefined before a pair has loaded). Each default is in the pair's own format:
 *  - no template (`{text}`: the demo pair, SGPT, any pair that names none): the plain text and two plain,
 *    format-neutral prefixes a small GPT can read;
 *  - an instruction format `Instruct: <task>\nQuery:{text}` (Qwen3-Embedding, E5-Mistral, GTE-Qwen): the pair's
 *    own task and two others, written the same way;
 *  - PromptEOL (`This sentence : "{text}" means in one word:"`): the pair's prompt and two that ask the one
 *    word for something else;
 *  - any other template: the pair's template around the plain prefixes.
 */
export function defaultInstructions(template: string | undefined): string[] {
  if (template === undefined || template.trim() === '{text}') return [...PLAIN];
  const instruct = /^Instruct: ?.*\n(Query: ?\{text\})$/s.exec(template);
  if (instruct)
    return [
      template,
      ...OTHER_TASKS.filter((t) => !template.includes(t))
        .slice(0, 2)
        .map((t) => `Instruct: ${t}\n${instruct[1]}`),
    ];
  if (template === PROMPT_EOL_TEMPLATE) {
    return [template, 'This sentence : "{text}" is about the topic, in one word:"', 'This sentence : "{text}" expresses the emotion, in one word:"'];
  }
  return [template, ...PLAIN.slice(1).map((prefix) => applyTemplate(template, prefix))];
}

/** The pair without a template: the text itself, then two plain prefixes. */
const PLAIN = ['{text}', 'Summarize: {text}', 'Keywords of: {text}'];

/** Tasks in Qwen3-Embedding's instruction style (its model card and evaluation prompts). */
const OTHER_TASKS = ['Retrieve semantically similar text', 'Classify the emotion expressed in the given text', 'Identify the main topic of the given text'];

// The spec being edited in the builder, and the errors of a shared link that could not be opened.
import { create } from 'zustand';
import { decodeSpec, defaultSpec, type ExperimentSpec, type FieldError } from '../experiment';

interface SpecState {
  spec: ExperimentSpec;
  /** Set when the page was opened from a link whose spec could not be used. */
  linkErrors: FieldError[] | null;
  /** Apply an edit to a copy of the spec; invalid values are kept so the field can show its error. */
  update: (edit: (draft: ExperimentSpec) => void) => void;
  replace: (spec: ExperimentSpec) => void;
  dismissLinkErrors: () => void;
}

export const SPEC_HASH = '#spec=';

function initialSpec(): { spec: ExperimentSpec; linkErrors: FieldError[] | null } {
  const hash = typeof location === 'undefined' ? '' : location.hash;
  if (!hash.startsWith(SPEC_HASH)) return { spec: defaultSpec(), linkErrors: null };
  const result = decodeSpec(hash.slice(SPEC_HASH.length));
  return result.ok ? { spec: result.spec, linkErrors: null } : { spec: defaultSpec(), linkErrors: result.errors };
}

export const useSpecStore = create<SpecState>((set) => ({
  ...initialSpec(),
  update: (edit) =>
    set((s) => {
      const draft = structuredClone(s.spec);
      edit(draft);
      return { spec: draft };
    }),
  replace: (spec) => set({ spec }),
  dismissLinkErrors: () => set({ linkErrors: null }),
}));

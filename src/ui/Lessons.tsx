// The Lessons menu: ready-made experiments that open in the playground or the lab, each with what
// to watch, and — once its run is done — whether the run showed what the lesson says.
import { diffSpecs, LESSONS, type Lesson, type OptimizerKind } from '../experiment';
import { labClaim, runClaim, type ClaimResult } from '../engine/lessonClaims';
import { useSpecStore } from '../state/specStore';
import { useLabStore } from '../state/labStore';
import { selectedRun, useRunStore } from '../state/runStore';
import { useViewStore } from '../state/viewStore';

/** Whether these settings are the lesson's experiment (or lab race), whatever backend they were set to. */
function isLessonTarget(settings: object, lesson: Lesson): boolean {
  const target = lesson.target.kind === 'experiment' ? lesson.target.spec : lesson.target.settings;
  return diffSpecs(settings, target).every((d) => d.path === 'backend');
}

/** Whether these settings are some lesson's, not the person's own. */
const isLessons = (settings: object) => LESSONS.some((l) => isLessonTarget(settings, l));

/**
 * Open a lesson: its experiment in the playground, or its race in the lab. What it replaces, when
 * that was the person's own, is kept for the banner's "Back to your …" button.
 */
function openLesson(lesson: Lesson): void {
  const target = lesson.target;
  const view = useViewStore.getState();
  if (target.kind === 'experiment') {
    const own = useSpecStore.getState().spec;
    if (!isLessons(own)) view.set({ ownExperiment: own });
    useSpecStore.getState().replace(structuredClone(target.spec));
    // A lesson starts with a clean chart and status line: earlier runs are set aside (not deleted).
    view.set({ earlierRuns: useRunStore.getState().runs.map((r) => r.id), showAllRuns: false });
    useRunStore.setState({ selectedId: null });
  } else {
    const own = useLabStore.getState().settings;
    if (!isLessons(own)) view.set({ ownLab: own });
    useLabStore.getState().update(structuredClone(target.settings));
  }
  view.set({ tab: target.kind === 'lab' ? 'lab' : 'playground', lesson: lesson.id, lessonsOpen: false });
}

/** Close the lesson and put back the experiment (or lab settings) it replaced. */
function backToOwn(kind: Lesson['target']['kind']): void {
  const view = useViewStore.getState();
  if (kind === 'experiment' && view.ownExperiment) useSpecStore.getState().replace(view.ownExperiment);
  if (kind === 'lab' && view.ownLab) useLabStore.getState().update(view.ownLab);
  view.set({ lesson: null, earlierRuns: [], ...(kind === 'experiment' ? { ownExperiment: null } : { ownLab: null }) });
}

/** The header's button and, when open, the list of lessons. */
export function LessonsMenu() {
  const open = useViewStore((s) => s.lessonsOpen);
  const set = useViewStore((s) => s.set);
  return (
    <button type="button" aria-expanded={open} aria-controls="lessons" onClick={() => set({ lessonsOpen: !open })}>
      Lessons
    </button>
  );
}

export function LessonsList() {
  const open = useViewStore((s) => s.lessonsOpen);
  const set = useViewStore((s) => s.set);
  if (!open) return null;
  return (
    <section id="lessons" className="panel lessons" aria-label="Lessons" data-testid="lessons">
      <div className="lessons-head">
        <h2>Lessons</h2>
        <span className="muted small">
          Each opens a ready experiment (your runs stay in the list, and its banner brings your own experiment back).
          Train it, watch, then try what it suggests.
        </span>
        <button type="button" onClick={() => set({ lessonsOpen: false })}>
          Close
        </button>
      </div>
      <ol className="lesson-list">
        {LESSONS.map((l) => (
          <li key={l.id} data-testid={`lesson-${l.id}`}>
            <strong>{l.title}</strong>
            <span className="muted small"> · {l.target.kind === 'lab' ? 'loss-surface lab' : 'playground'}</span>
            <p>{l.text}</p>
            <p className="small">It should show {l.shows}.</p>
            <button type="button" onClick={() => openLesson(l)} aria-label={`Open lesson: ${l.title}`}>
              Open
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A run the person stopped has no verdict: it did not run the lesson through. */
const FINISHED = ['completed', 'diverged', 'exploded', 'failed'];

function useClaimResult(lesson: Lesson | undefined): ClaimResult | null {
  const run = useRunStore((s) => selectedRun(s));
  const lab = useLabStore((s) => s.result);
  if (!lesson) return null;
  if (lesson.target.kind === 'lab') {
    if (!lab || diffSpecs(lab.settings, lesson.target.settings).length) return null;
    const finals: Partial<Record<OptimizerKind, number>> = {};
    lab.kinds.forEach((k, i) => (finals[k] = lab.paths[i].losses[lab.settings.steps]));
    return labClaim(lesson.claim, finals);
  }
  if (!run || !isLessonTarget(run.spec, lesson) || !FINISHED.includes(run.phase)) return null;
  return runClaim(lesson.claim, {
    status: run.phase as 'completed',
    epochs: run.epochs,
    plannedEpochs: lesson.target.spec.training.epochs,
  });
}

/** The open lesson: what to watch, and the run's verdict once there is one. */
export function LessonBanner({ where }: { where: 'playground' | 'lab' }) {
  const id = useViewStore((s) => s.lesson);
  const set = useViewStore((s) => s.set);
  const hasOwn = useViewStore((s) => (where === 'lab' ? s.ownLab : s.ownExperiment) !== null);
  const lesson = LESSONS.find((l) => l.id === id);
  const result = useClaimResult(lesson);
  if (!lesson || (lesson.target.kind === 'lab') !== (where === 'lab')) return null;
  return (
    <div className="banner info lesson-banner" role="status" data-testid="lesson-banner">
      <div>
        <strong>Lesson: {lesson.title}.</strong> {lesson.text} It should show {lesson.shows}.
        {result && (
          <div data-testid="lesson-result" className={result.holds ? 'lesson-holds' : 'lesson-misses'}>
            {result.holds ? '✓ As the lesson says: ' : '✗ Not this time: '}
            {result.measured}.
          </div>
        )}
        {!result && lesson.target.kind === 'experiment' && (
          <div className="small">Press Train; the verdict appears when the run ends.</div>
        )}
      </div>
      <div className="lesson-actions">
        {hasOwn && (
          <button type="button" onClick={() => backToOwn(lesson.target.kind)}>
            Back to your {where === 'lab' ? 'race settings' : 'experiment'}
          </button>
        )}
        <button type="button" onClick={() => set({ lesson: null })}>
          Close lesson
        </button>
      </div>
    </div>
  );
}

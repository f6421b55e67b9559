export type * from './engine-types.ts'
export { applyStoredPlan, deliverPending, interruptedPlans, makePlan } from './pipeline.ts'
export { approvePlan, rejectPlan } from './approve-plan.ts'
export {
  canTransition,
  PLAN_TRANSITIONS,
  PlanTransitionError,
  supersedeWaitingPlans,
  transitionPlan,
} from './plan-lifecycle.ts'
export type { ApproveOutcome } from './approve-plan.ts'
export type {
  ApplyRefusal,
  ApplyRunOptions,
  ChangedRecords,
  Engine,
  EngineSource,
  PlanOptions,
  PlanOutcome,
  Stage,
} from './pipeline.ts'
export { buildPlan, ledgerHash, summarise } from './build-plan.ts'
export { applyPlan, applyQueuedActions, applyQueuedJobs } from './apply-plan.ts'
export type { AppliedAction, ApplyQueue, QueuedPass, TargetPause } from './apply-plan.ts'
export { memoryRate, sleepFor } from './target-rate.ts'
export type { TargetRate } from './target-rate.ts'
export { explainPerson } from './explain.ts'
export type {
  Explanation,
  ExplainOutcome,
  ExplainedContract,
  ExplainedPermission,
  ExplainedTarget,
  NearMiss,
  PersonCandidate,
  ReadValue,
} from './explain.ts'
export { engineStatus, statusExitCode } from './status.ts'
export type {
  AuditHead,
  BlockedPlan,
  EngineStatus,
  PendingDelivery,
  RunLine,
  StatusOptions,
} from './status.ts'
export { sourcesAndTargets } from './source-target-health.ts'
export type { SourceHealth, SourcesAndTargets, TargetHealth } from './source-target-health.ts'
export { runPerson } from './run-person.ts'
export type { RunPersonOptions, RunPersonOutcome } from './run-person.ts'
export { activeHolds, liftHold, placeHold } from './hold.ts'
export type { HoldOutcome, LiftOutcome } from './hold.ts'
export { draftRefusal } from './pipeline.ts'
export { dueLeaverNotices, sendLeaverNotices } from './leaver-notices.ts'
export type {
  DueNotices,
  LeaverNotice,
  LeaverNoticeBatch,
  LeaverNoticeOptions,
  LeaverNoticeResult,
} from './leaver-notices.ts'
export { driftReport } from './drift.ts'
export type { DriftItem, DriftKind, DriftOutcome, TargetDrift } from './drift.ts'
export { revertRun } from './revert-run.ts'
export type { RevertOutcome } from './revert-run.ts'

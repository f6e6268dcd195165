package dev.deid.pipeline;

/**
 * One stage of a run over its {@link RunContext}, returning an immutable result that the
 * {@link RunRecorder} turns into the report and the audit row. A stage that fails throws; what the
 * stages before it returned is still recorded.
 */
interface Stage<R> {
  String name();

  R run(RunContext context);
}

// Which networks a run hands to worker processes (main.swift, "Training side by side").

import ChapterSupport

extension TrainingJob {
    /// Bump when `evaluate` changes what it measures, to invalidate cached evaluations.
    static let evaluationVersion = 2  // 2: per-image outcomes, spike and near-threshold shares

    /// The job as a worker process runs it: `--worker <stage>`, training then evaluation.
    var workerJob: WorkerJob { WorkerJob(id: stage, stages: [stage, evaluationStage]) }
}

/// The job a worker process was started for (`--worker <stage>`).
func job(named id: String, in jobs: [TrainingJob]) throws -> TrainingJob {
    try WorkerJob.item(named: id, in: jobs, kind: "network", id: \.stage)
}

/// The jobs this run would compute rather than load: training or evaluation not cached yet
/// under the run's keys, or forced by `--fresh` / `--rerun`.
func pendingJobs(_ jobs: [TrainingJob], config: Config, cache: StageCache) throws -> [TrainingJob] {
    try jobs.filter { job in
        let training = TrainingStage(job.variant, config: config, replicate: job.replicate)
        let trainingKey = try cache.key(job.stage, version: TrainingJob.trainingVersion,
                                        config: training)
        return try cache.needsComputing(job.stage, version: TrainingJob.trainingVersion,
                                        config: training)
            || cache.needsComputing(job.evaluationStage, version: TrainingJob.evaluationVersion,
                                    config: EvaluationStage(job, config: config),
                                    dependsOn: [trainingKey])
    }
}

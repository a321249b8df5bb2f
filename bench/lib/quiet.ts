// Imported first by benchmarks: per-request logs would measure the terminal, not the graph.
process.env.LOG_LEVEL ??= 'warn';
process.env.APOLLO_TELEMETRY_DISABLED = '1';

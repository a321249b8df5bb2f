// Imported first by programs run at a terminal (`npm start`, benchmarks):
// per-request JSON logs stay off unless asked for (LOG_LEVEL=info npm start),
// they would drown what the program prints (and, in a benchmark, measure the
// terminal). Separately started services keep `info`.
process.env.LOG_LEVEL ??= 'warn';
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';

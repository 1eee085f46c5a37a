"""Training runs: the config, the engine (where a run starts), saved runs, evaluation, transfer learning, progress events."""

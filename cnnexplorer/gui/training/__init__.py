"""The Training panel: form, live curves, runs, evaluation, transfer learning, its worker."""

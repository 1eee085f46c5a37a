"""What the bundled door model was trained on, read from its card (`resources/door_model.json`),
so that a score it earns on one of those sets is read for what it is (issue 17).

Starting a run from the door model ("Start from: the door model", `train --from door`) on a
dataset the door already trained with scores high because the network learned those images
(or images drawn by the same generator), not because fine-tuning taught it. The card's
`data.added_to_training` names such sets; this module words the warning from it, so the
note follows whatever the model that ships was trained on. No Qt, no TensorFlow.
"""

from __future__ import annotations

import json

from cnnexplorer.paths import resource

CARD = "door_model.json"


def door_training_sets() -> dict[str, str]:
    """{dataset name: what of it the door trained with} from the card's
    `data.added_to_training`; empty when the card is missing or unreadable (no note then)."""
    try:
        card = json.loads(resource(CARD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    sets = card.get("data", {}).get("added_to_training", {}) if isinstance(card, dict) else {}
    return {str(k): str(v) for k, v in sets.items()} if isinstance(sets, dict) else {}


def seen_by_the_door_note(dataset_name: str | None) -> str | None:
    """A sentence for starting from the door model on `dataset_name`, or None when the door
    did not train with that set."""
    if not dataset_name:
        return None
    what = door_training_sets().get(dataset_name)
    if what is None:
        return None
    return (f"The door model was trained with {dataset_name} too ({what}; "
            f"resources/{CARD}), so starting from it, a high score on {dataset_name} shows what "
            f"the door already learned, not what fine-tuning taught.")

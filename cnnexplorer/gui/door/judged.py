"""From a judged frame (the inference worker's FrameResult) to what the door panel draws:
face boxes for the frame view, tiles for the crops column, the line that says how the image
was judged. Formatting only: every number comes from core.door.verdict."""

from __future__ import annotations

from cnnexplorer.core.door.verdict import FACES
from cnnexplorer.gui.door.face_crops import CropTile
from cnnexplorer.gui.door.frame_view import FaceMark


def face_marks(verdict, threshold: float) -> list[FaceMark]:
    """A box per face found, coloured and labelled with that face's own verdict (the verdict
    says whether it smiles at `threshold`); the deciding face's box is drawn thicker."""
    if verdict is None or verdict.mode != FACES:
        return []
    deciding = verdict.deciding_index
    marks = []
    for i, judged in enumerate(verdict.judged):
        smiles = judged.smiles_at(threshold)
        label = f"{i + 1}: {judged.probability:.0%} {'smiles' if smiles else 'no smile'}"
        marks.append(FaceMark(judged.face.box, label, smiles, i == deciding))
    return marks


def crop_tiles(res, threshold: float, show_heat: bool) -> list[CropTile]:
    """The images the model judged, the largest face first; the heatmap (computed on the
    deciding face) over the deciding face's tile when shown."""
    verdict = getattr(res, "verdict", None)
    if verdict is None:
        return []
    deciding = verdict.deciding_index
    tiles = []
    for i, judged in enumerate(verdict.judged):
        image = judged.crop
        if i == deciding and show_heat and res.overlay is not None and res.overlay_is_crop:
            image = res.overlay
        if verdict.mode == FACES:
            title = f"face {i + 1}" + (" (decides)" if i == deciding and len(verdict.judged) > 1
                                       else "")
        else:
            title = "whole image"
        tiles.append(CropTile(image, judged.probability, judged.smiles_at(threshold), title))
    return tiles


def explanation(res) -> str:
    """How the image was judged, with the rule the door follows."""
    verdict = getattr(res, "verdict", None)
    if verdict is None:
        return ""
    return verdict.explanation()

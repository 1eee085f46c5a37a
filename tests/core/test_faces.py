"""Face finding for the door (core.door.faces, core.door.verdict): boxes where the faces are,
nothing on frames without one, several faces, tight crops, and the crop the model judges."""

from __future__ import annotations

import os

import numpy as np
import pytest

from cnnexplorer.core.door.faces import (SIDE_PER_BOX_HEIGHT, SIDE_PER_EYE_DISTANCE, Face,
                                         FaceFinder, crop_box_for, crop_face)
from cnnexplorer.core.door.verdict import FACES, NO_FACE, TIGHT_CROP, WHOLE_IMAGE, judge_image
from door_samples import BrightnessDoor, FixedFinder, frame_with

#: generated cartoon faces YuNet scores 0.8+ (happy-faces generator, these seeds)
FOUND_SEEDS = (7, 17, 19)


@pytest.fixture(scope="module")
def finder():
    # The synthetic faces are cartoons: a lower bar than real faces need keeps these tests
    # about where the box lands, not about the score of a drawing.
    return FaceFinder(score_threshold=0.6)


@pytest.mark.parametrize("x, y", [(300, 100), (40, 220)])
def test_a_pasted_face_is_boxed_where_it_is(finder, x, y):
    side = 200
    faces = finder.find(frame_with([(x, y, side, 17)]))
    assert len(faces) == 1
    bx, by, bw, bh = faces[0].box
    cx, cy = bx + bw / 2, by + bh / 2
    # the face fills the middle of its square: centre within 15% of the square's, size 40-110%
    assert abs(cx - (x + side / 2)) < 0.15 * side and abs(cy - (y + side / 2)) < 0.15 * side
    assert 0.4 * side < bw < 1.1 * side and 0.4 * side < bh < 1.3 * side
    # the crop box is square and holds the eyes and the mouth
    cx0, cy0, cs, cs2 = faces[0].crop_box
    assert cs == cs2
    for px, py in faces[0].landmarks:
        assert cx0 <= px <= cx0 + cs and cy0 <= py <= cy0 + cs


def test_boxes_follow_the_face_when_it_moves(finder):
    a = finder.find(frame_with([(300, 100, 200, 19)]))[0].box
    b = finder.find(frame_with([(60, 200, 200, 19)]))[0].box
    # within 6% of the face's size (the detector's anchors sit on an 8-32 px grid)
    assert abs((b[0] - a[0]) - (60 - 300)) <= 12 and abs((b[1] - a[1]) - (200 - 100)) <= 12
    assert abs(a[2] - b[2]) <= 12


def test_boxes_are_in_the_original_images_pixels(finder):
    """The detector sees a scaled-down copy; boxes come back at the image's scale."""
    frame = frame_with([(600, 400, 400, 17)], size=(1200, 1600))
    small = finder.find(frame, max_side=400)
    full = finder.find(frame, max_side=1600)
    assert len(small) == len(full) == 1
    assert all(abs(s - f) <= 0.08 * 400 for s, f in zip(small[0].box, full[0].box))


def test_several_faces_largest_first(finder):
    faces = finder.find(frame_with([(20, 60, 150, 7), (300, 80, 260, 17)]))
    assert len(faces) == 2
    assert faces[0].area > faces[1].area
    assert faces[0].box[0] > 250 > faces[1].box[0]


@pytest.mark.parametrize("kind", ["flat", "noise", "gradient", "stripes"])
def test_no_face_on_frames_without_one(kind):
    rng = np.random.default_rng(1)
    h, w = 480, 640
    if kind == "flat":
        frame = np.full((h, w, 3), 200, np.uint8)
    elif kind == "noise":
        frame = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    elif kind == "gradient":
        ramp = np.linspace(0, 255, w, dtype=np.float32)
        frame = np.repeat(np.repeat(ramp[None, :, None], h, 0), 3, 2).astype(np.uint8)
    else:
        frame = np.zeros((h, w, 3), np.uint8)
        frame[:, (np.arange(w) // 16) % 2 == 0] = 255
    assert FaceFinder().find(frame) == []


def test_crop_box_follows_the_measured_framing():
    # eyes 40 px apart at y=100, mouth 60 px below them, a detector box 120 px high
    marks = [(80, 100), (120, 100), (100, 130), (85, 160), (115, 160)]
    x, y, side, side2 = crop_box_for((40, 60, 120, 120), marks)
    expected = 0.5 * (SIDE_PER_EYE_DISTANCE * 40 + SIDE_PER_BOX_HEIGHT * 120)
    assert side == side2 and abs(side - expected) <= 1
    assert abs((x + side / 2) - 100) <= 0.02 * side + 1  # centred on the eyes-mouth midpoint
    assert abs((y + side / 2) - 130) <= 0.02 * side + 1


def test_crop_face_pads_by_repeating_the_edge_and_keeps_channels():
    image = np.zeros((50, 50, 3), np.uint8)
    image[:, :10] = 255  # a white band on the left edge
    crop = crop_face(image, (-20, 0, 50, 50), (25, 25))
    assert crop.shape == (25, 25, 3)
    assert crop[:, :12].min() > 200  # the overhang repeats the white edge
    grey = crop_face(image[:, :, 0], (0, 0, 50, 50), (10, 10))
    assert grey.shape == (10, 10, 1)
    with pytest.raises(ValueError, match="outside"):
        crop_face(image, (100, 100, 20, 20), (10, 10))


# -- the verdict, with a stand-in model and finder (no TensorFlow needed) ---------------------
def face_at(x, y, side):
    marks = [(x + 0.3 * side, y + 0.35 * side), (x + 0.7 * side, y + 0.35 * side),
             (x + 0.5 * side, y + 0.5 * side), (x + 0.35 * side, y + 0.7 * side),
             (x + 0.65 * side, y + 0.7 * side)]
    box = (x, y, side, side)
    return Face(box, 0.9, tuple(marks), crop_box_for(box, marks))


def two_faces():
    """A synthetic frame of two faces: a small bright one (the stand-in model's smile) and a
    large dark one, with the finder that reports them, largest first."""
    frame = np.zeros((300, 400, 3), np.uint8)
    frame[50:110, 20:80] = 250  # a small bright face
    frame[100:260, 200:360] = 30  # a large dark one
    big, small = face_at(200, 100, 160), face_at(20, 50, 60)
    return frame, big, small


@pytest.mark.parametrize("rule, decides, decision", [
    ("largest", 0, "closed"), ("any", 1, "open"), ("all", 0, "closed")])
def test_the_rule_for_several_faces_decides_and_every_face_is_judged(rule, decides, decision):
    frame, big, small = two_faces()
    door = BrightnessDoor((16, 16, 1))
    verdict = judge_image(door, frame, 0.5, finder=FixedFinder([big, small]), rule=rule)
    assert verdict.mode == FACES and verdict.faces == [big, small]
    assert len(door.seen) == 1 and door.seen[0].shape == (2, 16, 16, 1)  # one batch
    assert verdict.judged[0].crop.shape == (16, 16, 1)  # the image the model judged
    assert verdict.judged[1].probability > 0.5 > verdict.judged[0].probability
    # each face's own verdict, whatever the rule: the small bright one smiles
    assert [j.smiles_at(0.5) for j in verdict.judged] == [False, True]
    assert verdict.deciding_index == decides
    assert verdict.probability == verdict.judged[decides].probability
    assert verdict.decision == decision
    assert verdict.decision_at(0.05) == "open" and verdict.decision_at(0.99) == "closed"
    row = verdict.as_dict()
    assert [f["box"] for f in row["faces"]] == [list(big.box), list(small.box)]
    assert [f["decision"] for f in row["faces"]] == ["closed", "open"]
    assert row["rule"] == rule and row["deciding_face"] == decides
    assert row["decision"] == decision and row["probability"] == pytest.approx(
        verdict.judged[decides].probability)
    assert f"face {decides + 1} decides" in verdict.explanation()


def test_everyone_must_smile_under_all_and_the_rule_can_change_without_the_model():
    frame, big, small = two_faces()
    frame[100:260, 200:360] = 200  # the large face smiles too now
    verdict = judge_image(BrightnessDoor(), frame, 0.5, finder=FixedFinder([big, small]),
                          rule="all")
    assert verdict.decision == "open"
    assert verdict.with_rule("any").decision_at(0.9) == "open"  # the brighter one, 250/255
    assert verdict.decision_at(0.9) == "closed"  # all: the 200/255 face is under 0.9
    from cnnexplorer.core.errors import ConfigError
    with pytest.raises(ConfigError, match="one of any, largest, all; received 'most'"):
        judge_image(BrightnessDoor(), frame, finder=FixedFinder([big]), rule="most")


def test_anyone_smiling_opens_the_door_by_default_on_a_two_face_photo(finder):
    """The issue's photo, drawn: two faces the real finder finds; the smaller one smiles."""
    from cnnexplorer.core.door.rules import DEFAULT_RULE

    frame = frame_with([(20, 60, 160, 7), (300, 100, 260, 17)])
    # the stand-in model calls brightness happiness: the smaller face made a little brighter
    frame[60:220, 20:180] = np.clip(frame[60:220, 20:180].astype(int) + 20, 0, 255)
    door = BrightnessDoor((16, 16, 3))
    verdict = judge_image(door, frame, 0.42, finder=finder)
    assert DEFAULT_RULE == "any" and verdict.rule == "any"
    assert len(verdict.faces) == 2 and verdict.faces[0].box[0] > 250  # the larger is first
    small_smiles = verdict.judged[1].smiles_at(0.42) and not verdict.judged[0].smiles_at(0.42)
    assert small_smiles, [j.probability for j in verdict.judged]
    assert verdict.decision == "open" and verdict.deciding_index == 1
    assert verdict.with_rule("largest").decision == "closed"


def test_no_face_keeps_the_door_shut_and_says_so():
    verdict = judge_image(BrightnessDoor(), np.full((240, 320, 3), 255, np.uint8), 0.0,
                          finder=FixedFinder([]))
    assert verdict.mode == NO_FACE and verdict.probability is None
    assert verdict.decision == "closed" and verdict.decision_at(0.0) == "closed"
    assert "no face found" in verdict.explanation().lower()
    assert verdict.as_dict()["faces"] == [] and verdict.as_dict()["probability"] is None


def test_a_small_image_without_a_face_is_judged_whole_as_a_tight_crop():
    door = BrightnessDoor((16, 16, 3))
    verdict = judge_image(door, np.full((64, 64, 1), 255, np.uint8), 0.5,
                          finder=FixedFinder([]))
    assert verdict.mode == TIGHT_CROP and verdict.decision == "open"
    assert verdict.judged[0].crop.shape == (16, 16, 3)  # grey adapted to the colour model
    assert "judged whole" in verdict.explanation()


def test_face_finding_off_judges_the_whole_image():
    verdict = judge_image(BrightnessDoor(), np.full((240, 320, 3), 255, np.uint8), 0.5,
                          find_faces=False, finder=FixedFinder([face_at(0, 0, 50)]))
    assert verdict.mode == WHOLE_IMAGE and verdict.faces == [] and verdict.decision == "open"


# -- real photos, when ../shared/data is there -------------------------------------------
def test_real_photos_of_people(shared_data_dir):
    from cnnexplorer.core.data.images import read_image

    people = os.path.join(shared_data_dir, "people")
    finder = FaceFinder()
    counts = {name: len(finder.find(read_image(os.path.join(people, name))))
              for name in sorted(os.listdir(people))}
    assert all(n >= 1 for n in counts.values()), counts
    assert counts["two_people.jpg"] == 2 and counts["obama_and_biden.jpg"] >= 2


def test_captures_are_the_most_prominent_face_cropped():
    from cnnexplorer.core.door.verdict import CAPTURE_SIDE, capture_crop

    frame = np.zeros((300, 400, 3), np.uint8)
    big, small = face_at(200, 100, 160), face_at(20, 50, 60)
    crop = capture_crop(frame, FixedFinder([big, small]))
    assert crop.shape == (CAPTURE_SIDE, CAPTURE_SIDE, 3)
    assert capture_crop(frame, FixedFinder([])) is None  # no face: nothing to capture
    small_image = np.zeros((64, 64, 3), np.uint8)
    assert capture_crop(small_image, FixedFinder([])) is small_image  # already a face crop

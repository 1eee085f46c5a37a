"""The bundled door's card names the sets it trained with; starting from it on one of them
says why the score is high (issue 17: "Start from: the door model" scored 98.7% on
happy-faces, a set the door trained with)."""

import json

from cnnexplorer.core.door import bundled_data
from cnnexplorer.paths import resource


def test_the_note_follows_the_shipped_card():
    card = json.loads(resource("door_model.json").read_text("utf-8"))
    sets = card["data"].get("added_to_training", {})
    assert bundled_data.door_training_sets() == sets
    for name, what in sets.items():
        note = bundled_data.seen_by_the_door_note(name)
        assert note.startswith(f"The door model was trained with {name} too")
        assert what in note and "not what fine-tuning taught" in note
    assert bundled_data.seen_by_the_door_note("digits") is None
    assert bundled_data.seen_by_the_door_note(None) is None


def test_a_card_that_says_so_gets_the_note_and_a_missing_card_none(tmp_path, monkeypatch):
    card = tmp_path / "door_model.json"
    card.write_text(json.dumps({"data": {"added_to_training": {"my-set": "all 40 images"}}}))
    monkeypatch.setattr(bundled_data, "resource", lambda name: tmp_path / name)
    assert "my-set too (all 40 images" in bundled_data.seen_by_the_door_note("my-set")
    card.write_text("{not json")
    assert bundled_data.door_training_sets() == {}
    card.unlink()
    assert bundled_data.seen_by_the_door_note("my-set") is None


def _card_naming(tmp_path, monkeypatch, name):
    (tmp_path / "door_model.json").write_text(json.dumps(
        {"data": {"added_to_training": {name: "its 600 training images"}}}))
    monkeypatch.setattr(bundled_data, "resource", lambda n: tmp_path / n)


def test_train_from_door_prints_the_note(tmp_path, monkeypatch, capsys):
    from cnnexplorer.commands.train import _say_if_the_door_saw

    _card_naming(tmp_path, monkeypatch, "happy-faces")
    _say_if_the_door_saw("door", "happy-faces", as_json=False)
    out = capsys.readouterr().out
    assert out.startswith("note: The door model was trained with happy-faces too")
    _say_if_the_door_saw("door", "digits", as_json=False)
    _say_if_the_door_saw("door", "happy-faces", as_json=True)  # JSON lines stay JSON
    assert capsys.readouterr().out == ""


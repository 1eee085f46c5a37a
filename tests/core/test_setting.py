"""One declaration for a zoo option and a training setting (core/setting.py): the same
validator, so the same bad value is worded the same way from the zoo and the training config."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.setting import Setting
from cnnexplorer.core.train.config import TrainConfig


def _message(call) -> str:
    with pytest.raises(ConfigError) as caught:
        call()
    return str(caught.value)


def _entry_with(option: Setting) -> zoo.ZooEntry:
    """A zoo entry declaring `option` (only its configuration is checked, nothing is built)."""
    return zoo.ZooEntry("tiny", "Tiny", "Test", "", (4, 4, 1), None, build=zoo.build,
                        options=(option,))


def test_one_declaration_type_for_both():
    zoo_option = zoo.get("vgg16").option("width")
    train_setting = TrainConfig.settings()["momentum"][0]
    assert type(zoo_option) is type(train_setting) is Setting


def _outcome(call):
    """("read", the value read) or ("refused", the message)."""
    try:
        return "read", call()
    except ConfigError as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("name", list(TrainConfig.settings()))
@pytest.mark.parametrize("bad", ["abc", "nan", "inf", -1, 1e9, 2.5, True, None, "NONE"])
def test_the_same_value_gets_the_same_answer_from_the_zoo_and_the_training_config(name, bad):
    """A training setting declared as a zoo option: accepted alike, or refused in the same
    words but for the subject ("option momentum" on the command line's --set)."""
    setting = TrainConfig.settings()[name][0]
    as_option = replace(setting, said_as="")
    training = _outcome(lambda: getattr(TrainConfig(**{name: bad}), name))
    from_zoo = _outcome(lambda: _entry_with(as_option).config(options={name: bad})[name])
    if training[0] == "read":
        assert from_zoo == training
    else:
        assert training[1].startswith(f"{setting.label} must be ")
        assert training[1].endswith(f"; received {bad!r}")
        assert from_zoo == ("refused", training[1].replace(setting.label, f"option {name}", 1))


def test_integer_ranges_are_worded_alike():
    """Was "option depth must be at least 1" beside "epochs must be 1..100000"."""
    depth = _message(lambda: zoo.build("plain_net", depth=0))
    epochs = _message(lambda: TrainConfig(epochs=0))
    assert depth == "option depth must be 1..200; received 0"
    assert epochs == "epochs must be 1..100000; received 0"


@pytest.mark.parametrize("bad", ["nan", float("nan"), "inf", float("-inf")])
def test_a_zoo_option_refuses_what_is_not_a_finite_number(bad):
    """The zoo's own validator let width=nan through (nan < 0.01 is False) into the build."""
    message = _message(lambda: zoo.build("vgg16", width=bad))
    assert message == f"option width must be a finite number; received {bad!r}"


def test_command_line_text_is_read_as_the_setting_type():
    cfg = TrainConfig(epochs="7", learning_rate="0.01", optimizer=" SGD ")
    assert (cfg.epochs, cfg.learning_rate, cfg.optimizer) == (7, 0.01, "sgd")
    net = zoo.build("googlenet", (96, 96, 3), 5, aux_heads="on", dropout="0")
    assert "dropout" not in net
    # an integral number is an integer; 2.5 is not
    assert zoo.get("plain_net").config(options={"depth": 3.0}).options["depth"] == 3
    assert "must be an integer; received 2.5" in _message(
        lambda: zoo.get("plain_net").config(options={"depth": 2.5}))


def test_open_ends_are_excluded_and_said():
    lr = TrainConfig.settings()["learning_rate"][0]
    assert lr.range_text() == "a positive number"
    assert _message(lambda: TrainConfig(learning_rate=0)) == \
        "learning rate must be a positive number; received 0"
    assert TrainConfig(validation_split=0.0).validation_split == 0.0
    assert "in [0, 1)" in _message(lambda: TrainConfig(validation_split=1))


def test_a_declaration_that_cannot_work_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        Setting("x", "X", 1, kind="integer")
    with pytest.raises(ValueError, match="choices go with kind 'choice'"):
        Setting("x", "X", "a", choices=("a", "b"))

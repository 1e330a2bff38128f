"""GB/T 42195-2022 scoring from the bundled form: every band edge as a pair (the last
total of one level and the first of the next), the adjustments, and bad answers."""

from __future__ import annotations

import copy

import pytest

from carehub.assessment import standard

FORM, DOC = standard.load()


def answers_totalling(total: int) -> dict[str, int]:
    """Answers that sum to ``total``, filling items in form order."""
    left = total
    found = {}
    for item in FORM.items():
        found[item.code] = min(item.max, left)
        left -= found[item.code]
    assert left == 0
    return found


def test_the_form_has_the_standards_four_indicators_and_90_points() -> None:
    assert [i.code for i in FORM.indicators] == [
        "self_care",
        "motor",
        "mental",
        "perception_social",
    ]
    assert [i.max for i in FORM.indicators] == [32, 15, 28, 15]
    assert [len(i.items) for i in FORM.indicators] == [8, 4, 9, 5]
    assert FORM.max == 90


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (90, "intact"),
        (89, "mild"),
        (66, "mild"),
        (65, "moderate"),
        (46, "moderate"),
        (45, "severe"),
        (30, "severe"),
        (29, "complete"),
        (0, "complete"),
    ],
)
def test_each_band_edge(total: int, level: str) -> None:
    result = standard.score(FORM, answers_totalling(total))
    assert result.total == total
    assert result.level == level == result.band_level


def test_indicator_scores_add_up_to_the_total() -> None:
    result = standard.score(FORM, answers_totalling(40))
    assert result.indicator_scores == {
        "self_care": 32,
        "motor": 8,
        "mental": 0,
        "perception_social": 0,
    }


def test_a_worsening_adjustment_moves_one_level_once() -> None:
    plain = standard.score(FORM, answers_totalling(66))
    worse = standard.score(FORM, answers_totalling(66), frozenset({"dementia", "risk_events"}))
    assert (plain.level, worse.level) == ("mild", "moderate")


def test_a_coma_grades_as_completely_lost_whatever_the_total() -> None:
    assert standard.score(FORM, answers_totalling(90), frozenset({"coma"})).level == "complete"


def test_completely_lost_cannot_get_worse() -> None:
    assert standard.score(FORM, answers_totalling(0), frozenset({"dementia"})).level == "complete"


@pytest.mark.parametrize("value", [-1, 5, "3"])
def test_a_score_outside_the_items_range_is_refused_by_name(value: object) -> None:
    answers: dict[str, object] = dict(answers_totalling(50))
    answers["eating"] = value
    with pytest.raises(standard.AnswerError, match="eating") as caught:
        standard.score(FORM, answers)  # type: ignore[arg-type]
    assert caught.value.field == "eating"


def test_the_highest_score_of_an_item_is_accepted() -> None:
    answers = answers_totalling(50)
    answers["stairs"] = 3
    assert standard.score(FORM, answers).indicator_scores["motor"] >= 3


def test_a_missing_item_is_refused_by_name() -> None:
    answers = answers_totalling(50)
    del answers["stairs"]
    with pytest.raises(standard.AnswerError, match="stairs"):
        standard.score(FORM, answers)


def test_bands_with_a_gap_are_refused() -> None:
    doc = copy.deepcopy(DOC)
    doc["bands"][1]["min"] = 67  # 66 now belongs to no band
    with pytest.raises(standard.FormError, match="bands"):
        standard.parse(doc)


def test_bands_covering_each_total_once_are_accepted() -> None:
    assert standard.parse(copy.deepcopy(DOC)).band_of(66) == "mild"


def test_a_repeated_item_code_is_refused() -> None:
    doc = copy.deepcopy(DOC)
    doc["indicators"][1]["items"][0]["code"] = "eating"
    with pytest.raises(standard.FormError, match="eating"):
        standard.parse(doc)

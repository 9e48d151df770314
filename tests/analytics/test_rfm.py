"""RFM quintile scores (tie rule) and the first-match segment table, on constructed grids."""

from __future__ import annotations

import itertools

import numpy as np

from vinculo.analytics import rfm


def test_quintiles_of_distinct_values_are_even_fifths():
    scores = rfm.quintile_scores(np.arange(1, 101))
    assert [int(np.count_nonzero(scores == k)) for k in range(1, 6)] == [20] * 5
    assert scores[0] == 1 and scores[-1] == 5


def test_ties_share_the_lowest_score_their_value_reaches():
    # 70 one-time buyers, 20 with two purchases, 10 with five: the one-time buyers all get 1,
    # two purchases start at the 70th percentile (score 4), five at the 90th (score 5).
    frequency = np.array([1] * 70 + [2] * 20 + [5] * 10)
    scores = rfm.quintile_scores(frequency)
    assert set(scores[:70]) == {1} and set(scores[70:90]) == {4} and set(scores[90:]) == {5}
    # The order of the rows never changes anyone's score.
    shuffled = np.random.default_rng(7).permutation(frequency.size)
    assert np.array_equal(rfm.quintile_scores(frequency[shuffled]), scores[shuffled])


def test_recency_scores_reward_the_most_recent():
    days_since = np.array([1, 10, 100, 200, 400])
    assert list(rfm.quintile_scores(days_since, higher_is_better=False)) == [5, 4, 3, 2, 1]


def test_everyone_alike_gets_one_and_nothing_breaks():
    assert set(rfm.quintile_scores(np.ones(50))) == {1}
    assert rfm.quintile_scores(np.array([])).size == 0
    codes, segments = rfm.score(np.array([3.0]), np.array([1]), np.array([np.nan]))
    assert list(codes) == ["111"] and list(segments) == ["lost"]


def test_every_score_combination_has_exactly_the_first_matching_segment():
    for r, f, m in itertools.product(range(1, 6), repeat=3):
        matching = [s.code for s in rfm.SEGMENTS if s.matches(r, f, m)]
        assert matching, (r, f, m)
        assert rfm.segment_for(r, f, m) == matching[0]


def test_the_table_names_the_textbook_cells():
    expect = {
        (5, 5, 5): "champions", (4, 4, 4): "champions", (5, 5, 1): "loyal",
        (3, 5, 5): "loyal", (1, 5, 5): "cant_lose", (2, 4, 4): "cant_lose",
        (1, 5, 1): "at_risk", (2, 3, 5): "at_risk", (5, 2, 3): "potential_loyalist",
        (4, 3, 1): "potential_loyalist", (5, 1, 5): "new", (4, 1, 2): "promising",
        (3, 2, 2): "need_attention", (3, 1, 4): "about_to_sleep", (2, 2, 2): "hibernating",
        (2, 1, 5): "hibernating", (1, 1, 1): "lost", (1, 2, 5): "lost",
    }
    assert {cell: rfm.segment_for(*cell) for cell in expect} == expect
    used = {rfm.segment_for(*cell) for cell in itertools.product(range(1, 6), repeat=3)}
    assert used == {s.code for s in rfm.SEGMENTS}


def test_scores_read_as_three_digits():
    codes, segments = rfm.score(np.array([1, 300, 30, 90, 200]), np.array([9, 1, 3, 2, 1]),
                                np.array([900.0, 5.0, 200.0, 50.0, 10.0]))
    # The two one-time buyers tie on frequency: both F = 1.
    assert list(codes) == ["555", "111", "444", "333", "212"]
    assert list(segments) == ["champions", "lost", "champions", "need_attention",
                              "hibernating"]

"""Coverage figures on the toy dataset (see conftest for the layout)."""
import pandas as pd
import pytest

from analysis import coverage
from geo import schema as s
from tests.analysis.conftest import C1, C1_CODE, C2_CODE, T11, T12, T21, V1, V3, V4


def test_counts_of_villages_and_communities(toy):
    """Five rows have kind = village (v1–v5), one community (c1)."""
    assert coverage.villages_total(toy.villages) == 5
    assert coverage.communities_total(toy.villages) == 1


def test_city_wide_joint_figures(toy):
    """O1 = {v1, v2, v3}, O2 = {v4, c1}.

    joint_orgs = 2; joint_villages = v1, v2, v3, v4 = 4 (c1 is a community);
    joint_coverage = 4 / 5 = 0.8; population of joint villages
    600 + 400 + 1000 + 500 = 2500 over 3000 (c1's 2000 not counted) = 5/6;
    avg_members_per_org = 5 member rows / 2 = 2.5 (rows, communities included).
    """
    v, o, m = toy.villages, toy.joint_orgs, toy.joint_members
    assert coverage.joint_orgs(o) == 2
    assert coverage.joint_villages(v, m) == 4
    assert coverage.joint_coverage(v, m) == pytest.approx(0.8)
    assert coverage.joint_population_coverage(v, m) == pytest.approx(2500 / 3000)
    assert coverage.avg_members_per_org(o, m) == 2.5


def test_per_county_org_counts_where_lead_lies(toy):
    """O2 has member c1 in C1 but its lead v4 in C2: it counts in C2.

    C1: villages v1, v2, v3 (+ c1), orgs {O1}, joint villages 3 → coverage 1.0,
        members of O1 3 rows / 1 org = 3.0.
    C2: villages v4, v5, orgs {O2}, joint villages v4 → 0.5; population
        500 / 1000 = 0.5; O2 has 2 member rows → 2.0.
    """
    f = coverage.coverage_figures(toy.villages, toy.joint_orgs, toy.joint_members,
                                  toy.villages[s.COUNTY_CODE])
    assert f.index.tolist() == [C1_CODE, C2_CODE]
    assert f.loc[C1_CODE].to_dict() == {
        "villages_total": 3, "communities_total": 1, "joint_orgs": 1, "joint_villages": 3,
        "joint_coverage": 1.0, "joint_population_coverage": 1.0, "avg_members_per_org": 3.0}
    assert f.loc[C2_CODE].to_dict() == {
        "villages_total": 2, "communities_total": 0, "joint_orgs": 1, "joint_villages": 1,
        "joint_coverage": 0.5, "joint_population_coverage": 0.5, "avg_members_per_org": 2.0}


def test_per_township_org_in_lead_township_only(toy):
    """O1 spans T11 (v1, v2) and T12 (v3, its lead): it counts in T12 only.

    T11 has joint villages but no organisation: joint_orgs 0 and
    avg_members_per_org None (no denominator), not 0.
    """
    f = coverage.coverage_figures(toy.villages, toy.joint_orgs, toy.joint_members,
                                  toy.villages[s.TOWNSHIP_CODE])
    assert f["joint_orgs"].to_dict() == {T11: 0, T12: 1, T21: 1}
    assert f["joint_villages"].to_dict() == {T11: 2, T12: 1, T21: 1}
    assert pd.isna(f.loc[T11, "avg_members_per_org"])
    assert f.loc[T12, "avg_members_per_org"] == 3.0


def test_org_with_unknown_lead_counts_at_first_known_member(toy):
    """An organisation whose lead village does not exist counts where its
    first member (in joint_members order) lies: O1's first member is v1."""
    orgs = toy.joint_orgs.assign(**{s.LEAD_VILLAGE_CODE: ["gone", V4]})
    assert coverage.org_village_positions(toy.villages, orgs, toy.joint_members).tolist() == [0, 4]
    f = coverage.coverage_figures(toy.villages, orgs, toy.joint_members,
                                  toy.villages[s.TOWNSHIP_CODE])
    assert f["joint_orgs"].to_dict() == {T11: 1, T12: 0, T21: 1}


def test_no_organisations_give_none(bare):
    """Without joint_orgs/joint_members the joint figures are missing, not 0."""
    v = bare.villages
    assert coverage.joint_orgs(bare.joint_orgs) is None
    assert coverage.joint_villages(v, bare.joint_members) is None
    assert coverage.joint_coverage(v, bare.joint_members) is None
    assert coverage.joint_population_coverage(v, bare.joint_members) is None
    assert coverage.avg_members_per_org(bare.joint_orgs, bare.joint_members) is None
    f = coverage.coverage_figures(v, bare.joint_orgs, bare.joint_members)
    assert f.iloc[0, :2].tolist() == [5, 1]
    assert f.iloc[0, 2:].isna().all()


def test_orgs_without_members_give_none_for_member_figures(toy):
    """Organisations present, members absent: joint_orgs 2, the rest None."""
    empty = toy.joint_members.iloc[0:0]
    assert coverage.joint_orgs(toy.joint_orgs) == 2
    assert coverage.joint_villages(toy.villages, empty) is None
    assert coverage.avg_members_per_org(toy.joint_orgs, empty) is None


def test_no_village_gives_no_coverage_ratio(toy):
    """Only the community c1 left: villages_total 0 → joint_coverage None."""
    only_c1 = toy.villages[toy.villages[s.VILLAGE_CODE] == C1]
    assert coverage.villages_total(only_c1) == 0
    assert coverage.joint_coverage(only_c1, toy.joint_members) is None
    assert coverage.joint_population_coverage(only_c1, toy.joint_members) is None


def test_inputs_are_not_changed(toy):
    before = [toy.villages.copy(), toy.joint_orgs.copy(), toy.joint_members.copy()]
    coverage.coverage_figures(toy.villages, toy.joint_orgs, toy.joint_members,
                              toy.villages[s.COUNTY_CODE])
    for frame, copy in zip([toy.villages, toy.joint_orgs, toy.joint_members], before):
        pd.testing.assert_frame_equal(frame, copy)


def test_misaligned_group_is_refused(toy):
    with pytest.raises(ValueError, match="对齐"):
        coverage.coverage_figures(toy.villages, toy.joint_orgs, toy.joint_members,
                                  pd.Series([V1, V3]))

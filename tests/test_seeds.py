from npssim.seeds import replication_seeds


def test_a_replication_keeps_its_seed_when_more_are_added():
    assert replication_seeds(7, 3) == replication_seeds(7, 10)[:3]


def test_replications_get_distinct_seeds():
    seeds = replication_seeds(7, 200)
    assert len(set(seeds)) == 200


def test_seeds_fit_the_run_seed_range():
    assert all(0 <= seed < 2**63 for seed in replication_seeds(123, 50))


def test_root_seed_changes_every_replication_seed():
    assert set(replication_seeds(1, 5)).isdisjoint(replication_seeds(2, 5))


def test_one_replication_s_seed_is_the_same_alone_as_among_the_others():
    assert replication_seeds(7, 2, first=5) == replication_seeds(7, 7)[5:]


def test_a_far_replication_costs_what_the_first_does():
    (far,) = replication_seeds(7, 1, first=10**9)
    assert 0 <= far < 2**63

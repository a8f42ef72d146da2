from npssim.experiment import replication_seeds


def test_a_replication_keeps_its_seed_when_more_are_added():
    assert replication_seeds(7, 3) == replication_seeds(7, 10)[:3]


def test_replications_get_distinct_seeds():
    seeds = replication_seeds(7, 200)
    assert len(set(seeds)) == 200


def test_seeds_fit_the_run_seed_range():
    assert all(0 <= seed < 2**63 for seed in replication_seeds(123, 50))


def test_root_seed_changes_every_replication_seed():
    assert set(replication_seeds(1, 5)).isdisjoint(replication_seeds(2, 5))

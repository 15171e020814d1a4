from roleswitch.core.filtering import TargetFilter

TEXTS = [
    "production 111111111111 admin prod/admin",
    "staging 222222222222 readonly staging/readonly",
    "production 111111111111 deploy prod/deploy",
    " 333333333333 admin dev-admin",
]


def test_subsequence_terms_and_order():
    f = TargetFilter(TEXTS)
    assert f.matches("") == (0, 1, 2, 3)
    assert f.matches("prdadm") == (0,)
    assert f.matches("admin") == (0, 3)
    assert f.matches("ADMIN  prod") == (0,)
    assert f.matches("2222") == (1,)
    assert f.matches("zzz") == ()


def test_narrowing_and_widening_agree_with_a_fresh_filter():
    f = TargetFilter(TEXTS)
    for query in ["p", "pr", "pro", "prod", "prod d", "prod de", "prod d", "prod", "p", ""]:
        assert f.matches(query) == TargetFilter(TEXTS).matches(query), query


def test_a_term_never_matches_across_fields():
    f = TargetFilter(
        [
            "development\n333333333333\ndeveloper\ndevelopment/developer",
            "production\n111111111111\nadmin\nprod/admin",
        ]
    )
    assert f.matches("prod") == (1,)
    assert f.matches("dev 3333") == (0,)


def test_prepared_filter_answers_like_an_unprepared_one():
    from roleswitch.core.filtering import TargetFilter

    texts = ["production\n111111111111\nadmin\nprod/admin", "staging\n222\nreadonly\nstg/ro", "x\ny", ""]
    plain, prepared = TargetFilter(texts), TargetFilter(texts)
    prepared.prepare()
    for query in ["a", "p", "\n", "z", "2", "a r", "pa", "st ro", " ", "1 a"]:
        assert prepared.matches(query) == plain.matches(query), query


def test_every_way_to_a_query_gives_the_same_answer():
    """Typed key by key (narrowing), asked cold, with and without the index: the same
    indices, and the same as checking each text by hand."""
    import random
    import re

    rng = random.Random(7)
    alphabet = "ab1/-é"
    texts = [
        "\n".join("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(4))
        for _ in range(300)
    ]

    def by_hand(query: str) -> tuple[int, ...]:
        terms = query.lower().split()
        patterns = [re.compile("[^\n]*?".join(map(re.escape, term))) for term in terms]
        return tuple(i for i, t in enumerate(texts) if all(p.search(t) for p in patterns))

    typed, prepared = TargetFilter(texts), TargetFilter(texts)
    prepared.prepare()
    for _ in range(150):
        query = " ".join(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 2))
        )
        for end in range(1, len(query) + 1):  # each key as typed, then the whole query cold
            typed.matches(query[:end])
            prepared.matches(query[:end])
        expected = by_hand(query)
        assert typed.matches(query) == expected, query
        assert prepared.matches(query) == expected, query
        assert TargetFilter(texts).matches(query) == expected, query


# Ranking. Search texts as the model makes them: account name, account id, role name, target name.
DEMO = [
    "production\n111111111111\ndeploy\nproduction/deploy",
    "production\n111111111111\nreadonly\nproduction/readonly",
    "\n777777777777\nprototype\nold-prototype",
    "staging\n222222222222\nreadonly\nstaging/readonly",
]


def _best_first(f: TargetFilter, query: str) -> list[int]:
    return [index for tier in f.rank(query) for index in tier]


def test_proto_ranks_a_word_start_above_letters_scattered_through_production():
    f = TargetFilter(DEMO)
    assert f.matches("proto") == (0, 1, 2)  # production/... match letter by letter
    tiers = f.rank("proto")
    assert tiers[0] == (2,)  # old-prototype: the best, alone
    assert _best_first(f, "proto") == [2, 0, 1]  # the rest keep their order


def test_an_exact_role_or_target_name_ranks_first_then_word_start_then_mid_word():
    texts = [
        "sandbox\n1\nsysadmin\nsandbox/sysadmin",  # mid-word
        "sandbox\n1\nadminread\nsandbox/adminread",  # word start
        "sandbox\n1\nadmin\nsandbox/admin",  # exact role name
        "sandbox\n1\nanalyst-dm-in\nsandbox/analyst-dm-in",  # scattered letters
    ]
    f = TargetFilter(texts)
    assert f.rank("admin") == ((2,), (1,), (0,), (3,))
    assert f.rank("sandbox/adminread")[0] == (1,)  # the exact target name


def test_word_start_beats_mid_word():
    texts = [
        "team\n1\nbackend-dev\nteam/backend-dev",  # dev starts a word
        "team\n1\ndevops\nteam/devops",  # dev starts a word, ops too
        "team\n1\nsubdevision\nteam/subdevision",  # dev mid-word
    ]
    f = TargetFilter(texts)
    assert f.rank("dev") == ((0, 1), (2,))
    assert f.rank("dev ops") == ((1,),)


def test_tiers_split_exactly_the_matches_whichever_way_the_query_came():
    import random

    rng = random.Random(11)
    alphabet = "ab1/-"
    texts = [
        "\n".join("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(4))
        for _ in range(300)
    ]
    typed, prepared = TargetFilter(texts), TargetFilter(texts)
    prepared.prepare()
    for _ in range(100):
        query = " ".join(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 2))
        )
        for end in range(1, len(query) + 1):
            typed.rank(query[:end])
            prepared.rank(query[:end])
        cold = TargetFilter(texts).rank(query)
        assert typed.rank(query) == prepared.rank(query) == cold, query
        assert sorted(i for tier in cold for i in tier) == list(typed.matches(query))
        assert all(list(tier) == sorted(tier) for tier in cold)


def test_match_spans_mark_a_word_start_then_a_piece_then_letters():
    from roleswitch.core.filtering import match_spans

    assert match_spans("old-prototype", ("proto",)) == [(4, 9)]  # the word start, not "old-p..."
    assert match_spans("Prototype", ("proto",)) == [(0, 5)]  # case does not matter
    assert match_spans("sysadmin", ("adm",)) == [(3, 6)]  # in one piece, mid-word
    assert match_spans("production", ("proto",)) == [(0, 3), (6, 7), (8, 9)]  # letter by letter, merged
    assert match_spans("Admin", ("zz", "ad", "dm")) == [
        (0, 3)
    ]  # overlapping terms merge; misses mark nothing

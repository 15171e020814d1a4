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

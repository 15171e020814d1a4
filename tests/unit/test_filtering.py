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

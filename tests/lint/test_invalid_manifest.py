"""invalid-manifest: the manifest's problems are reported at their line."""


def test_invalid_country(lint):
    problems = lint("", "invalid-manifest", manifest="name: Test\ncountry: Germany\n")

    assert problems == [
        ("invalid-manifest", 2, 1, "\"country\" must be a two-letter upper-case ISO 3166 code such as DE, got 'Germany'")
    ]


def test_valid_manifest(lint):
    assert lint("", "invalid-manifest", manifest="name: Test\ncountry: DE\nthreshold: 0.3\n") == []

from carehub.registry.naming import name_initials


def test_initials_of_chinese_names() -> None:
    assert name_initials("张秀英") == "zxy"
    assert name_initials("欧阳明") == "oym"


def test_latin_letters_and_empty_names() -> None:
    assert name_initials("Li Na") == "lina"
    assert name_initials("") == ""

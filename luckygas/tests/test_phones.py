"""Numbers as the office types them into a 電話 cell, made into tel: links."""

import pytest

from luckygas.templatetags.phones import dial, phone_link


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("089-123456", "+88689123456"),
        ("089-123456、0912-345678", "+88689123456"),
        ("(089)123456", "+88689123456"),
        ("（089）321234", "+88689321234"),
        ("0912 345 678", "+886912345678"),
        ("+886 912 345 678", "+886912345678"),
        ("老闆 0912-345-678 晚上打", "+886912345678"),
        ("找老闆", ""),
        ("12345", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_first_number_of_a_cell_is_dialled_as_typed_in_taiwan(cell, number):
    assert dial(cell) == number


def test_a_cell_with_a_number_links_to_it_and_one_without_stays_text():
    assert phone_link("089-123456 <分機>") == (
        '<a href="tel:+88689123456">089-123456 &lt;分機&gt;</a>'
    )
    assert phone_link("找老闆") == "找老闆"
    assert phone_link("") == ""

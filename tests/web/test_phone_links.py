"""Phone numbers inside texts become tap-to-call links; everything else stays escaped text."""

from __future__ import annotations

from markupsafe import Markup

from msinfusion.web.pages import make_templates
from msinfusion.web.phone_links import linked_phones


def test_a_center_phone_inside_a_sentence_becomes_a_tel_link_in_e164() -> None:
    linked = linked_phones("Questions about fasting? Call the center at (617) 555-0142 before 5 pm.")
    assert linked == Markup(
        'Questions about fasting? Call the center at <a class="tel" href="tel:+16175550142">(617) 555-0142</a>'
        " before 5 pm."
    )


def test_numbers_are_read_in_the_centers_region_and_international_ones_anywhere() -> None:
    assert 'href="tel:+34912345678"' in linked_phones("Llame al 912 345 678.", "ES")
    assert 'href="tel:+34912345678"' in linked_phones("Call +34 912 345 678.", "US")
    assert linked_phones("Llame al 912 345 678.", "US") == Markup("Llame al 912 345 678.")


def test_dates_doses_and_times_are_not_phone_numbers() -> None:
    text = "On 2027-01-04 at 08:30 you get 600 mg over 3.5 hours; dose 2 of 12."
    assert linked_phones(text) == Markup(text)


def test_markup_in_the_text_is_escaped_before_numbers_are_linked() -> None:
    linked = linked_phones('<a href="javascript:alert(1)">617-555-0142</a> & "more"')
    assert '<a href="javascript' not in linked
    assert linked.startswith("&lt;a href=&#34;javascript:alert(1)&#34;&gt;")
    assert '<a class="tel" href="tel:+16175550142">617-555-0142</a>&lt;/a&gt; &amp; &#34;more&#34;' in linked


def test_nothing_and_existing_markup_are_left_alone() -> None:
    assert linked_phones(None) == Markup("")
    built = Markup('<a href="tel:+16175550142">(617) 555-0142</a>')
    assert linked_phones(built) is built


def test_templates_have_the_filter() -> None:
    template = make_templates().env.from_string("{{ text | tel_links(region) }}")
    rendered = template.render(text="Call 617-555-0142 <now>", region="US")
    assert rendered == 'Call <a class="tel" href="tel:+16175550142">617-555-0142</a> &lt;now&gt;'

"""Claims: sentences cut into the statements they make; debris set aside with its reason."""

from __future__ import annotations

from newsloom.compare.claims import article_claims, debris_reason, split_sentences

from .helpers import article


def claims_of(text: str):
    return article_claims(article("a", "outlet", text), "outlet", "outlet:outlet")


def test_sentences_keep_abbreviations_and_offsets():
    text = "Gov. Terry McAuliffe said Mr. Jones, 23, of Alexandria, Va., was shot. He died.\n\nPolice left."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Gov. Terry McAuliffe said Mr. Jones, 23, of Alexandria, Va., was shot.",
                                             "He died.", "Police left."]


def test_sentences_a_page_glued_together_are_cut_apart():
    """gva-727759 (abc7chicago.com): paragraphs joined with no space after the full stop."""
    text = ("Two women were found just outside laying on the front porch, one of them still alive at that "
            "point.Family identified two of the victims as Shacora Jackson, 40, and Elijah Jackson, 36. A female was "
            "taken to Advocate Christ Medical Center in critical condition and later died, family members confirmed "
            "late Saturday.\"At this point, everything is still unfolding,\" Navarro said. Police responded at "
            "about 12:30 p.m. The U.S.Army was not involved.")
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Two women were found just outside laying on the front porch, one of them still alive at that point.",
        "Family identified two of the victims as Shacora Jackson, 40, and Elijah Jackson, 36.",
        "A female was taken to Advocate Christ Medical Center in critical condition and later died, family members "
        "confirmed late Saturday.",
        '"At this point, everything is still unfolding," Navarro said.',
        "Police responded at about 12:30 p.m.", "The U.S.Army was not involved."]
    closing = 'Police said, "We heard the gunshots."Officers arrived at 3 a.m.'
    assert [closing[s:e] for s, e in split_sentences(closing)] == ['Police said, "We heard the gunshots."',
                                                                   "Officers arrived at 3 a.m."]


def test_debris_is_set_aside_with_its_reason():
    assert debris_reason("Chinese Foreign Minister Wang Yi. (Photo: Getty Images)") == "caption"
    assert debris_reason("Updated: 7:42 PM EST Dec 3, 2016") == "date line"
    assert debris_reason("WEBVTT 00:00:01.000 --> 00:00:04.000 police say the man ran") == "video transcript"
    assert debris_reason("Download the WXYZ app to get breaking news alerts.") == "page prompt"
    assert debris_reason("Kim Jong Un also reached Russia") == "a heading (no closing punctuation)"
    assert debris_reason("Are Putin and Xi Jinping planning something big?") == "a question"
    assert debris_reason("Russia is facing shortage of weapons due to war.") is None
    # gva and ecbplus pages: credit lines, update promises and photo positions are not claims
    assert debris_reason("Copyright 2016 The Associated Press.") == "copyright line"
    assert debris_reason("© 2016 Cox Media Group.") == "copyright line"
    assert debris_reason('" (Yahoo! News article)') == "source note"
    assert debris_reason("FOX19 NOW will continue to follow this breaking story throughout the day.") == "update promise"
    assert debris_reason("Additional information will follow as more details of the incident become known.") \
        == "update promise"
    assert debris_reason("Police say Kamau Thomas Jr. (right) is charged with shooting Isis Allen (left) outside a "
                         "house on Zara Street in Knoxville.") == "caption"
    assert debris_reason("The copyright case was filed in 2016 and more details emerged in the report.") is None
    assert debris_reason("Police said more information will be released Monday.") is None  # a claim
    # gva-727759: a photographer's credit inside a caption, an appeal for tips
    assert debris_reason("Four dead in Far South Side shooting Abel Uribe / Chicago Tribune A plainclothes Chicago "
                         "police officer tries to calm a woman who said she knew victims of a shooting.") == "caption"
    assert debris_reason("Emergency crews clog at the intersection of 105th and La Salle as neighbors peeked out of "
                         "their homes. | Sam Charles") == "caption"
    assert debris_reason("Garner Police are asking anyone with information about this incident to contact the "
                         "Garner Police Department.") == "tip line prompt"
    assert debris_reason("The shooting happened outside the 24/7 Fitness gym on Main Street.") is None
    # gva (fox8live.com, ksla.com): a headline with the page's time stamp glued to it
    assert debris_reason("Man says he accidentally shot high school student, sheriff says Updated: Friday, June 6, "
                         "2014 6:23 PM EDT") == "date line"
    assert debris_reason("The report was published in June 2014 by the state.") is None
    # gva (daytondailynews.com, journal-news.com, koat.com): a sign-up form and a share button
    assert debris_reason("We have sent you a verification email.") == "page prompt"
    assert debris_reason("If you do not receive the verification message within a few minutes of signing up, please "
                         "check your Spam or Junk folder.") == "page prompt"
    assert debris_reason("Just One More Thing...") == "page prompt"
    assert debris_reason("What we know in quadruple Four Hills shooting Mother fought to protect her 3 children from "
                         "gunman | Share") == "page prompt"
    assert debris_reason("The two families agreed to share the cost of the funeral.") is None


def test_leading_debris_and_glued_advertisement_are_cut():
    claims, _ = claims_of(".China’s Foreign Ministry announced on Monday that Wang Yi will stay in Russia.\n\n"
                          "Advertisement The two teens were gunned down in the Oceanside park on March 13, 2013.")
    texts = [c.text for c in claims]
    assert texts[0].startswith("Wang Yi will stay") and claims[0].speaker == "China’s Foreign Ministry"
    assert texts[1] == "The two teens were gunned down in the Oceanside park on March 13, 2013"


def test_a_wire_dateline_is_not_part_of_the_claim():
    """GVA's openings: the place (and station) before the dash is the dateline, not the claim;
    an acronym followed by a dash and a lower-case word is left alone."""
    text = ("SALT LAKE CITY — A Salt Lake police officer was hospitalized Saturday after he accidentally shot "
            "himself in the foot.\n\nLOUISVILLE, KY (WAVE) - The Louisville Metro Police Department is investigating "
            "a shooting.\n\nNORFOLK, Va. (WVEC) --Bond was denied Tuesday for a man charged in the shooting.\n\n"
            "NATO — the alliance of 31 countries — said it would send more troops to the region.")
    claims, _ = claims_of(text)
    texts = [c.text for c in claims]
    assert texts[0].startswith("A Salt Lake police officer was hospitalized Saturday")
    assert texts[1].startswith("The Louisville Metro Police Department is investigating")
    assert texts[2].startswith("Bond was denied Tuesday")
    assert any(t.startswith("NATO") for t in texts), "an acronym before a dash and a lower-case word stays"
    assert all(text[c.start:c.end] == c.text for c in claims), "offsets still point at the words"


def test_the_content_of_said_that_is_the_claim_and_the_speaker_is_kept():
    claims, _ = claims_of("Mao said that during this period Ukraine war would be the main issue of talks. "
                          "The shooting appeared to be targeted, police said.")
    assert [(c.text, c.speaker) for c in claims] == [
        ("during this period Ukraine war would be the main issue of talks", "Mao"),
        ("The shooting appeared to be targeted", "police")]


def test_an_it_said_tail_leaves_the_claim():
    """The seeds: NepalKhabar's "…such as the UN, it said." (the ministry, named before)."""
    claims, _ = claims_of("The two sides would discuss strengthening their coordination in international groupings "
                          "such as the UN, it said. It was raining when they arrived.")
    assert [(c.text, c.speaker) for c in claims] == [
        ("The two sides would discuss strengthening their coordination in international groupings such as the UN",
         "it"), ("It was raining when they arrived", None)]


def test_a_number_is_not_a_speaker():
    claims, _ = claims_of("US employers added only 194,000 jobs in September, the Labor Department said on Friday.")
    assert claims[0].speaker == "the Labor Department"
    claims, _ = claims_of("Employers added only 194,000 jobs, far fewer than economists had expected.")
    assert claims[0].speaker is None


def test_clauses_and_appositive_facts_are_claims_of_their_own():
    text = ("According to the Chinese ministry, the visit is taking place at the invitation of Russia’s Security "
            "Council chief Nikolai Patrushev, who is co-chairman of the bilateral Strategic Security Consultation "
            "Mechanism.")
    claims, _ = claims_of(text)
    assert [c.text for c in claims] == [
        "the visit is taking place at the invitation of Russia’s Security Council chief Nikolai Patrushev",
        "Nikolai Patrushev, who is co-chairman of the bilateral Strategic Security Consultation Mechanism"]
    assert all(c.speaker == "Chinese ministry" for c in claims)
    for claim in claims:
        assert text[claim.start:claim.end] == claim.text
    claims, _ = claims_of("Chinese Foreign Minister Wang Yi is visiting Russia for security talks, as Moscow seeks "
                          "continued support for its war on Ukraine.")
    assert [c.text for c in claims] == ["Chinese Foreign Minister Wang Yi is visiting Russia for security talks",
                                        "Moscow seeks continued support for its war on Ukraine"]


def test_a_quote_is_not_cut_inside():
    claims, _ = claims_of("“We will find him, and we will bring him to justice,” the sheriff said.")
    assert [c.text for c in claims] == ["“We will find him, and we will bring him to justice"]


def test_sentence_vectors_survive_the_store_round_trip_and_spare_encoding(embedder):
    import numpy as np

    from newsloom.compare.sentences import SentenceVectors, encoder_with, lookup

    text = "Wang Yi is visiting Russia. He will meet Sergei Lavrov.\n\nThe talks last four days."
    (made,) = SentenceVectors.of([text], embedder.encode)
    back = SentenceVectors.from_bytes(*made.to_bytes())
    assert back.spans == made.spans == ((0, 27), (28, 55), (57, 82))
    assert np.allclose(back.vectors, made.vectors, atol=0.02)
    calls = []
    encode = encoder_with(lookup({"a": text}, {"a": back}), lambda texts: calls.append(texts) or embedder.encode(texts))
    vectors = encode(["He will meet Sergei Lavrov", "Something new"])
    assert calls == [["Something new"]] and vectors.shape[0] == 2

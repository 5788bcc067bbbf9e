"""Who did what: a conversation recap's subject is traced to the participant who said it (summarizer/attribution.py)."""

from __future__ import annotations

from summarizer.attribution import reattribute
from summarizer.post import Post

CHAT = [Post(id="1", text="What should we get dad for Christmas? I have no idea", author="Jane"),
        Post(id="2", text="An iPad. i'll order it online and have it shipped home", author="David"),
        Post(id="3", text="did you lock the door when you left?", author="Gina"),
        Post(id="4", text="The car is making a weird noise, I've got to take it to a mechanic", author="Kyle"),
        Post(id="5", text="ok", author="Warren"),
        Post(id="6", text="Joyce here, need a lift tonight", author="Joyce")]


def test_a_sentence_traced_to_another_speakers_first_person_post_gets_that_speaker():
    r = reattribute("Jane will order it online and have it shipped home.", CHAT)
    assert r and r.text == "David will order it online and have it shipped home." and (r.was, r.now) == ("Jane", "David")
    assert r.post_id == "2"
    # a possessive subject keeps its possessive
    assert reattribute("Joyce's car is making a weird noise.", CHAT).text == "Kyle's car is making a weird noise."


def test_anything_less_certain_is_left_alone():
    assert reattribute("David will order it online and have it shipped home.", CHAT) is None  # already right
    assert reattribute("Warren will lock the door when he left.", CHAT) is None  # a question to someone else
    assert reattribute("Jane and Warren will order it online.", CHAT) is None  # several subjects
    assert reattribute("Grandpa will order it online.", CHAT) is None  # not a participant
    assert reattribute("Jane will order.", CHAT) is None  # too little content to trace
    addressed = CHAT + [Post(id="7", text="you should buy the lamp, I think", author="Gina")]
    assert reattribute("Warren should buy the lamp.", addressed) is None  # "you": the addressee may be the actor
    tied = CHAT + [Post(id="8", text="i'll order it online too", author="Gina")]
    assert reattribute("Jane will order it online.", tied) is None  # two speakers fit: no single one to trace
    one_voice = [Post(id=str(i), text=p.text) for i, p in enumerate(CHAT)]
    assert reattribute("Jane will order it online and have it shipped home.", one_voice) is None

"""Who did what: a conversation recap's subject is traced to the participant who said it (summarizer/attribution.py)."""

from __future__ import annotations

from summarizer.attribution import complete_list, reattribute
from summarizer.faithfulness import SourceIndex, check
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
    assert reattribute("Jane will ship.", CHAT) is None  # too little content to trace, and no one says "I'll ship"
    addressed = CHAT + [Post(id="7", text="you should buy the lamp, I think", author="Gina")]
    assert reattribute("Warren should buy the lamp.", addressed) is None  # "you": the addressee may be the actor
    tied = CHAT + [Post(id="8", text="i'll order it online too", author="Gina")]
    assert reattribute("Jane will order it online.", tied) is None  # two speakers fit: no single one to trace
    one_voice = [Post(id=str(i), text=p.text) for i, p in enumerate(CHAT)]
    assert reattribute("Jane will order it online and have it shipped home.", one_voice) is None


def test_a_subject_who_never_says_the_act_gets_the_one_speaker_who_says_it_of_themself():
    chat = [Post(id="1", text="i dont have anything to wear", author="Thelma"),
            Post(id="2", text="your wardrobe is full of clothes", author="Louisa"),
            Post(id="3", text="ok i can bring you my red velvet dress", author="Louisa"),
            Post(id="4", text="it would be great!", author="Thelma")]
    # the post says "you" (so the trace by words leaves it), but its "i can bring" makes Louisa the one who brings
    r = reattribute("Thelma will bring it to Thelma's wardrobe.", chat)
    assert r and r.text == "Louisa will bring it to Thelma's wardrobe." and (r.was, r.now, r.post_id) == \
        ("Thelma", "Louisa", "3")
    assert reattribute("Jane will order.", CHAT).text == "David will order."  # "i'll order it online"
    assert reattribute("Louisa will bring it.", chat) is None  # already right
    assert reattribute("Thelma will bring wine.", chat + [Post(id="5", text="I'll bring wine", author="Thelma")]) \
        is None  # the subject says it of herself too
    assert reattribute("Thelma will bring it.", chat + [Post(id="5", text="i can bring shoes", author="Ann")]) \
        is None  # two others say it: no single one
    assert reattribute("Thelma will bring it.", chat + [Post(id="5", text="Thelma will bring shoes", author="Ann")]) \
        is None  # a post says it of her by name
    assert reattribute("Thelma and Ann will bring it.", chat) is None  # several subjects


def test_in_a_two_person_chat_a_subject_who_asks_the_act_of_the_other_gets_the_other():
    chat = [Post(id="1", text="Can you pick up Laura from school today?", author="Caroline"),
            Post(id="2", text="I need to stay longer at work...", author="Caroline"),
            Post(id="3", text="Ok. What time?", author="Tom"),
            Post(id="4", text="3.30 if there's no traffic.", author="Tom")]
    r = reattribute("Caroline will pick up Laura from school today.", chat)
    assert r and r.text == "Tom will pick up Laura from school today." and (r.was, r.now, r.post_id) == \
        ("Caroline", "Tom", "1")
    assert reattribute("Tom will pick up Laura from school today.", chat) is None  # already right
    mutual = chat + [Post(id="5", text="no, you pick her up, u are closer", author="Tom")]
    assert reattribute("Caroline will pick up Laura.", mutual) is None  # each asks it of the other: unsure
    herself = chat + [Post(id="5", text="fine, I'll pick her up myself", author="Caroline")]
    assert reattribute("Caroline will pick up Laura.", herself) is None  # she says it of herself too
    trio = chat + [Post(id="5", text="I'm free too", author="Ann")]
    assert reattribute("Caroline will pick up Laura.", trio) is None  # three people: who was asked is not known


def test_a_participant_listed_twice_stands_for_the_one_author_the_list_leaves_out():
    trio = [Post(id="1", text="bowling on Friday at 8?", author="Camil"),
            Post(id="2", text="yes!", author="Luna"),
            Post(id="3", text="count me in", author="Ivy")]
    r = complete_list("Camil, Luna and Luna are going bowling on Friday at 8 p.m.", trio)
    assert r and r.text == "Camil, Luna and Ivy are going bowling on Friday at 8 p.m."
    assert (r.was, r.now, r.post_id) == ("Luna", "Ivy", "3")
    assert complete_list("Camil, Luna and Ivy are going bowling.", trio) is None  # nothing doubled


def test_any_other_doubled_name_loses_its_repeat_where_the_sentence_stays_well_formed():
    trio = [Post(id="1", text="bowling on Friday at 8?", author="Camil"),
            Post(id="2", text="yes!", author="Luna"),
            Post(id="3", text="count me in", author="Ivy")]
    mended = {  # every author already named, or not a participant at all: a stutter
        "Ivy, Camil and Camil will go bowling with Luna.": "Ivy and Camil will go bowling with Luna.",
        "Luna, Luna and Camil asked Ivy.": "Luna and Camil asked Ivy.",
        "Ivy will join Luna and Camil and Camil.": "Ivy will join Luna and Camil.",
        "Camil will bowl on Friday and Friday with Luna and Ivy.": "Camil will bowl on Friday with Luna and Ivy.",
        "Luna and Luna will go bowling.": "Luna will go bowling.",  # two authors unnamed: no guess, the repeat goes
    }
    for sentence, text in mended.items():
        r = complete_list(sentence, trio)
        assert r and r.text == text, sentence
    # one name left as the subject of a verb that may be plural: not mended (the guard rejects it)
    assert complete_list("Luna and Luna are going bowling.", trio) is None
    assert complete_list("Luna and Luna keep talking.", trio) is None


def test_a_name_listed_twice_apart_is_not_mended_but_rejected():
    """"Damian, Mason, Jacob and Damian have watched the game": dropping the repeat would read well and keep the
    falsehood (only Damian did), so it is left to the guard, which rejects it; adjacent repeats are still mended."""
    trio = [Post(id="1", text="bowling on Friday at 8?", author="Camil"),
            Post(id="2", text="yes!", author="Luna"),
            Post(id="3", text="count me in", author="Ivy")]
    index = SourceIndex(trio)
    for sentence in ["Camil, Luna, Ivy and Camil are going bowling on Friday.", "Camil, Luna or Camil will call Ivy.",
                     "Camil, Luna and Camil are going bowling on Friday."]:
        assert complete_list(sentence, trio) is None, sentence
        assert "<doubled name: 'Camil'>" in check([sentence], index).sentences[0].unsupported, sentence
    for sentence in ["Camil, Luna and Camil's sister are going bowling with Ivy.",  # someone else
                     "Camil, Luna and Ivy are going bowling; Camil will drive."]:
        assert not any("doubled" in u for u in check([sentence], index).sentences[0].unsupported), sentence


def test_be_and_the_word_after_it_is_an_act_after_an_auxiliary():
    """"Jude will be there in a flash" where Scarlet wrote "I'll be there in a flash": "be there" is the act. Not a
    bare "be" ("Will be home soon." opens with no subject but Will) nor another "be" phrase ("be late")."""
    chat = [Post(id="1", text="If you need me, I'll be there in a flash", author="Scarlet"),
            Post(id="2", text="I know, thank you", author="Jude")]
    r = reattribute("Jude will be there in a flash.", chat)
    assert r and r.text == "Scarlet will be there in a flash." and r.post_id == "1"
    assert reattribute("Jude will be late tonight.", chat) is None
    home = [Post(id="1", text="what time will you be home?", author="Will"),
            Post(id="2", text="I'll be home soon, i'll tell you", author="Emma")]
    assert reattribute("Will be home soon.", home) is None
    r = reattribute("Will is going to be home soon.", home)
    assert r and r.text == "Emma is going to be home soon."

"""Place traps, on sentences of our own: datelines, outlets, people's names, days and months,
supranational regions, namesakes abroad, unknown villages in a stated province, buildings, lists,
transliterations.  Each row names the words of one mention and the country, admin-1 and place it must
resolve to (or that it is no place at all); the event rows run the whole pipeline (the rules' reading)
and check where the article's events are placed.  No sentence, name or place here comes from an evaluation set."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from sitrep.pipeline import Pipeline, analysable_text, clean_documents
from sitrep.records import Article, PlaceMention, RawDocument

ANY = object()  # a field the row does not pin
NO_PLACE = None


@dataclass(frozen=True)
class Trap:
    """`words` in `text` resolve to `place` (canonical name) in `country`, `admin1`; `country` None: the
    words are no place at all (no mention, or one that fixes no country)."""

    trap: str
    text: str
    words: str
    country: str | None  # a country's name, or NO_PLACE
    admin1: object = ANY
    place: object = ANY
    precision: object = ANY
    outlet: str | None = None
    role: str = "literal"


PLACE_TRAPS = [
    # ---- datelines: the filing place is a mention of its own, resolved in the article's geography
    Trap("dateline", "BAMBARI, Central African Republic (AP) — Gunmen attacked a police post in the town on Tuesday.",
         "BAMBARI", "Central African Republic", "Ouaka", "Bambari", 1),
    Trap("dateline with its outlet", "MOPTI (Radio Kayira) — Militants clashed with soldiers near Douentza on Sunday.",
         "MOPTI", "Mali", "Mopti", "Mopti"),
    Trap("dateline with its outlet", "MOPTI (Radio Kayira) — Militants clashed with soldiers near Douentza on Sunday.",
         "Douentza", "Mali", "Mopti", "Douentza"),
    Trap("dateline", "ABECHE, Chad — Herders and farmers fought in villages east of the city on Monday.",
         "ABECHE", "Chad", "Ouaddaï", "Abéché"),
    Trap("dateline in running text", "By a staff writer. MAROUA (Reuters) - Fighting spread to the outskirts of the city.",
         "MAROUA", "Cameroon", "Far North", "Maroua"),
    Trap("dateline and a fold namesake abroad", "SEGOU — Drones struck a market in Ségou on Friday, Malian officials said.",
         "Ségou", "Mali", "Ségou"),
    # ---- outlets: a place inside an outlet's name is no place
    Trap("outlet told", "Residents told the Kidal Chronicle that Malian soldiers looted shops in Gao.", "Kidal", NO_PLACE),
    Trap("outlet told", "Residents told the Kidal Chronicle that Malian soldiers looted shops in Gao.", "Gao", "Mali", "Gao"),
    Trap("outlet number", "Bambari 24 reported that the army shelled Bria on Friday.", "Bambari", NO_PLACE),
    Trap("outlet number", "Bambari 24 reported that the army shelled Bria on Friday.",
         "Bria", "Central African Republic", "Haute-Kotto", "Bria"),
    Trap("outlet name", "The Sarh Observer said two soldiers were killed in Moundou.", "Sarh", NO_PLACE),
    Trap("outlet name", "The Sarh Observer said two soldiers were killed in Moundou.",
         "Moundou", "Chad", "Logone Occidental", "Moundou"),
    Trap("outlet possessive", "Kousseri's correspondent said the curfew was lifted on Thursday after days of unrest.",
         "Kousseri", NO_PLACE),
    Trap("the article's outlet", "The Mongo Herald learned that police dispersed a march in Mongo on Monday.",
         "The Mongo Herald", NO_PLACE, outlet="The Mongo Herald"),
    Trap("the article's outlet", "The Mongo Herald learned that police dispersed a march in Mongo on Monday.",
         "Mongo", "Chad", "Guéra", "Mongo", outlet="The Mongo Herald"),
    Trap("credited agency", "Bocaranga Wire said soldiers arrested six men in Paoua.", "Bocaranga", NO_PLACE,
         outlet="Centrafrique Daily (Bocaranga Wire)"),
    # ---- people's names
    Trap("person, then a place", "Idriss Mongo, a 40-year-old trader, was shot dead in Sarh on Saturday.", "Mongo", NO_PLACE),
    Trap("person, then a place", "Idriss Mongo, a 40-year-old trader, was shot dead in Sarh on Saturday.",
         "Sarh", "Chad", "Moyen-Chari", "Sarh"),
    Trap("person with an age", "Gunmen killed Bria, 12, and her brother in Bambari.", "Bria", NO_PLACE),
    Trap("person with an age", "Gunmen killed Bria, 12, and her brother in Bambari.",
         "Bambari", "Central African Republic", "Ouaka", "Bambari"),
    Trap("kin", "Among the dead in Kaya, Burkina Faso, was his son Koro, the family said.", "Koro", NO_PLACE),
    Trap("kin", "Among the dead in Kaya, Burkina Faso, was his son Koro, the family said.", "Kaya", "Burkina Faso", "Centre-Nord"),
    Trap("a person's surname is a town's", "Governor Amina Obo visited the wounded, who were attacked in Birao.",
         "Birao", "Central African Republic", "Vakaga", "Birao"),
    # ---- days and months are times
    Trap("weekday", "Fighting resumed on Monday near Bossangoa, residents said.", "Monday", NO_PLACE),
    Trap("weekday", "Fighting resumed on Monday near Bossangoa, residents said.",
         "Bossangoa", "Central African Republic", "Ouham"),
    Trap("month", "Since March, gunmen have raided villages around Djibo.", "March", NO_PLACE),
    Trap("month", "In August, the militia seized Kabo in the Central African Republic after a week of fighting.", "August", NO_PLACE),
    Trap("month", "In August, the militia seized Kabo in the Central African Republic after a week of fighting.", "Kabo", "Central African Republic"),
    # ---- supranational regions fix no country
    Trap("region", "Jihadist violence is spreading across West Africa, the report warned.", "West Africa", NO_PLACE),
    Trap("region", "Drone warfare has become common across the Maghreb.", "Maghreb", NO_PLACE),
    Trap("region", "Drought threatens millions in the Horn of Africa this year.", "Horn of Africa", NO_PLACE),
    # ---- namesakes abroad: a variant spelling abroad is no match; the article's geography decides
    Trap("fold namesake abroad", "Malian troops pushed militants out of Koro on Sunday.", "Koro", "Mali", "Mopti", "Koro"),
    Trap("fold namesake abroad", "Soldiers repelled an attack in Kaya, in Centre-Nord, on Sunday.", "Kaya", "Burkina Faso",
         "Centre-Nord", "Kaya"),
    Trap("fold namesake abroad", "Rebels from the Central African Republic entered Paoua and Ndele.", "Paoua",
         "Central African Republic", "Lim-Pendé", "Paoua"),
    Trap("fold namesake abroad", "Fighting in the Ouaka prefecture of the Central African Republic displaced thousands.",
         "Ouaka", "Central African Republic", "Ouaka"),
    Trap("own name at home", "Chadian warplanes bombed Bol on the shores of Lake Chad on Wednesday.", "Bol", "Chad", "Lac",
         "Bol", 1),
    Trap("capital abroad, namesake at home", "Venezuelan troops deployed in Maracay and in the Venezuelan city of Valencia.",
         "Valencia", "Venezuela"),
    Trap("dominant namesake", "Officials from the two governments met in Lisbon to discuss the ceasefire in Bria.",
         "Lisbon", "Portugal"),
    Trap("an exact name just across a border", "The Congolese army said rebels crossed from Kisoro overnight.",
         "Kisoro", "Uganda"),
    # ---- unknown villages go inside the container the text gives
    Trap("unknown, X, Y region", "Jihadists killed 20 villagers in Ogossagou, Mopti region, on Saturday.",
         "Ogossagou", "Mali", "Mopti", "Ogossagou", 2),
    Trap("unknown, X, in the municipality of Y (a namesake in another state)",
         "Soldiers clashed with gunmen in Buenavista, in the municipality of Cajeme, on Sunday.",
         "Buenavista", "Mexico", "Sonora", "Buenavista", 2),
    Trap("known, X, in the municipality of Y", "Soldiers clashed with gunmen in Buenavista, in the municipality of Macuspana.",
         "Buenavista", "Mexico", "Tabasco", "Buenavista", 1),
    Trap("unknown, X, Y municipality", "Gunmen burned a bus in Buenavista, Cajeme municipality, on Sunday.",
         "Buenavista", "Mexico", "Sonora", "Buenavista", 2),
    Trap("unknown, X area of Y", "Gunmen killed five herders in the Boulkessi area of Mopti region.",
         "Boulkessi", "Mali", "Mopti", "Boulkessi", 2),
    Trap("unknown, Y's X", "Troops cleared Ouaka's Kouakourou district of militants.",
         "Kouakourou", "Central African Republic", "Ouaka"),
    Trap("unknown, Y's north Z region", "Gunmen stormed Dialloube village in Mali's central Mopti region.",
         "Dialloube", "Mali", "Mopti", "Dialloube", 2),
    Trap("unknown, the town of X in south Y", "An air strike hit the town of Khirbet Zahra in south Lebanon.",
         "Khirbet Zahra", "Lebanon"),
    Trap("unknown, the X area between Y and Z",
         "Clashes broke out in the Wadi Hamra area between Ouaddai and Guéra provinces.", "Wadi Hamra", "Chad"),
    Trap("unknown with an unknown holder", "Bandits abducted 40 pupils from Dogon Kurmi, Kaura State, on Monday.",
         "Dogon Kurmi", NO_PLACE),  # nothing says where: no namesake abroad either
    Trap("unknown, with an unknown holder whose namesakes lie abroad", "Soldiers detained twelve traders at "
         "Zoukoutouniala Town in Mbrès County in Masaka District, Uganda, on Friday.", "Zoukoutouniala Town", "Uganda"),
    Trap("unknown, an appositive says what it is", "Residents of Zoukoutouniala, a town west of Bambari, said gunmen "
         "shot dead three men on Sunday.", "Zoukoutouniala", "Central African Republic", "Ouaka"),
    Trap("a list is no container", "Protests were held in Bambari, Bria, Bangassou and Obo on Friday.",
         "Bangassou", "Central African Republic", "Mbomou", "Bangassou", 1),
    Trap("a list is no container", "Protests were held in Bambari, Bria, Bangassou and Obo on Friday.",
         "Obo", "Central African Republic", "Haut-Mbomou", "Obo", 1),
    Trap("named with its province", "Fighting was reported near Batangafo, Ouham-Fafa, on Tuesday.",
         "Batangafo", "Central African Republic", "Ouham-Fafa", "Batangafo", 1),
    Trap("kind word in the name", "Gunmen killed 12 people in Mopti Region on Sunday.", "Mopti Region", "Mali", "Mopti",
         precision=3),
    Trap("two names joined by and", "Militants attacked a checkpoint in Saint Kitts and Nevis.",
         "Saint Kitts and Nevis", "Saint Kitts and Nevis"),
    # ---- buildings stand for their town
    Trap("building", "Gunmen stormed the Ledger Palace Hotel in Bangui on Tuesday.", "Ledger Palace Hotel",
         "Central African Republic", ANY, "Bangui", 1),
    Trap("building", "A bomb exploded outside the Greenhill Secondary School in Maroua, police said.",
         "Greenhill Secondary School", "Cameroon", "Far North", "Maroua", 1),
    Trap("an unknown facility with no place words", "He was accused of desecrating the Holy Scroll last week.",
         "Holy Scroll", NO_PLACE),
    # ---- organisations and modifiers
    Trap("a party", "Members of the Mopti party marched in Gao on Friday.", "Mopti", NO_PLACE),
    Trap("X-based", "A Vienna-based monitor said drones struck Kidal.", "Vienna", "Austria", role="modifier"),
    Trap("X-based", "A Vienna-based monitor said drones struck Kidal.", "Kidal", "Mali", "Kidal"),
    # ---- transliterations: two spellings, one place
    Trap("transliteration", "Shelling hit Abeche and the villages around it.", "Abeche", "Chad", "Ouaddaï", "Abéché"),
    Trap("transliteration", "Militants in Mali attacked Menaka, which residents spell Ménaka.", "Menaka", "Mali", "Ménaka"),
    Trap("transliteration", "Chadian soldiers entered Ndjamena at dawn on Friday, residents said.", "Ndjamena", "Chad",
         "N'Djamena", "N'Djamena"),
    # a story that names no country: a common transliteration of a big town, all of whose namesakes lie in one
    # country, is that town's
    Trap("transliteration, no country named", "Fighters set up a checkpoint near the port of Bosaso on Monday, witnesses said.",
         "Bosaso", "Somalia"),
    Trap("transliteration, no country named", "Fighters set up a checkpoint near the town of Jowhar on Monday, witnesses said.",
         "Jowhar", "Somalia"),
    # ---- a town's name the parser reads as a person's ('in X'): people are not 'in' or 'near'
    Trap("town read as a person", "Fighters set up a checkpoint on the road into Dhamar on Monday, witnesses said.", "Dhamar",
         "Yemen", place="Dhamar"),
    Trap("town read as a person, one country's name", "Rebels entered Khan Shaykhun at dawn, residents said.",
         "Khan Shaykhun", "Syria"),
    # ---- a surname the article writes in full as a person's is the person after a weak word ('the arrest of X')
    Trap("surname after 'of'", "Police questioned Noureddine Tchirbo in Bangui on Monday. Supporters of Tchirbo marched "
         "the next day.", "Tchirbo", NO_PLACE),
    Trap("surname after 'of'", "Police questioned Noureddine Tchirbo in Bangui on Monday. Supporters of Tchirbo marched "
         "the next day.", "Bangui", "Central African Republic", "Bangui", "Bangui", 1),
    # ---- an acronym the gazetteer does not place in the story names a group, not an unknown village
    Trap("acronym", "Troops captured FPRC fighters near Ndele, the army said.", "FPRC", NO_PLACE),
    # ---- a name the gazetteer lacks is a place only where the text places it: a place word or a locative word
    # by it or by its list; a wire service or a supranational region never is
    Trap("unknown, in a list of villages", "The rebels left the villages of Ouandago, Zoukoutouniala and Nana-Outa to "
         "Central African troops.", "Zoukoutouniala", "Central African Republic"),
    Trap("a title after 'of'", "Mourners gathered at the house of Sheikh Idriss Kobe in Bambari on Sunday.", "Sheikh",
         NO_PLACE),
    Trap("a title after 'of'", "Mourners gathered at the house of Sheikh Idriss Kobe in Bambari on Sunday.", "Bambari",
         "Central African Republic", "Ouaka", "Bambari"),
    Trap("a wire service", "Floods cut the main road in the state of Sonora, Reuters reports.", "Reuters", NO_PLACE),
    Trap("a wire service", "Floods cut the main road in the state of Sonora, Reuters reports.", "Sonora", "Mexico", "Sonora"),
    Trap("region", "Flooding and gang violence have hit the Caribbean island hard, aid workers in Jacmel said.",
         "Caribbean", NO_PLACE),
    # ---- an area or a neighbourhood the gazetteer lacks is coded at the city that holds it (CODING.md), the
    # dateline's city in a story filed from there
    Trap("unknown area of the dateline's city", "BANGUI (Reuters) — Police fired tear gas at protesters gathered in the "
         "Combattant area on Friday.", "Combattant", "Central African Republic", "Bangui", "Bangui", 2),
    Trap("unknown neighbourhood of the dateline's city", "MAROUA, Cameroon — Police dispersed traders at Gadala "
         "neighbourhood on Monday.", "Gadala", "Cameroon", "Far North", "Maroua", 2),
    # ---- a body of a place ('the X State Police Command') names no event's place, but says where the story is:
    # an unknown village beside it is in that country
    Trap("a place's police", "Gunmen attacked the village of Karamba overnight, a spokesman for the Kaduna State Police "
         "Command said.", "Kaduna State", "Nigeria", "Kaduna", role="modifier"),
    Trap("a place's police", "Gunmen attacked the village of Karamba overnight, a spokesman for the Kaduna State Police "
         "Command said.", "Karamba", "Nigeria"),
    # a plural kind word after a list says what every name of the list is
    Trap("a list before a plural kind word", "The army set up bases in Bekhal Dore, Sarka Mili, and Zuma Koro "
         "villages of Gombe State.", "Sarka Mili", "Nigeria", "Gombe"),
    Trap("a plural kind word the tagger reads as a verb", "The army set up bases in Bekhal Dore, Sarka Mili, and Zuma "
         "Koro villages in Gombe State, a local source said.", "Sarka Mili", "Nigeria", "Gombe"),
    # an address, finest first: "at X, Y district of Z"
    Trap("an address, finest first", "Bandits raided homes at Ajigba, Ikpele district of Wukari Local Government "
         "Area, Taraba State, on Sunday.", "Ajigba", "Nigeria", "Taraba"),
    Trap("a people's name before a plural kind word is not a place", "Fighters fled the Tuareg and Songhai towns "
         "of the mountain.", "Songhai", NO_PLACE),
]


def _article(text: str, outlet: str | None = None) -> Article:
    raw = RawDocument(doc_id="trap", text=text, source="test", outlet=outlet, published=date(2026, 3, 2))
    article = next(iter(clean_documents([raw])))
    assert isinstance(article, Article)
    return article


def _mentions(pipeline: Pipeline, article: Article) -> list[PlaceMention]:
    return pipeline.places.resolve(article, pipeline.nlp(analysable_text(article)))


@pytest.mark.parametrize("trap", PLACE_TRAPS, ids=[f"{t.trap}: {t.words}" for t in PLACE_TRAPS])
def test_place_trap(pipeline: Pipeline, trap: Trap) -> None:
    article = _article(trap.text, trap.outlet)
    mentions = [m for m in _mentions(pipeline, article) if m.text == trap.words]
    if trap.country is NO_PLACE:
        assert all(m.country is None for m in mentions), mentions
        return
    assert mentions, f"{trap.words!r} not found"
    mention = mentions[0]
    assert mention.country == trap.country, mention
    if trap.admin1 is not ANY:
        assert mention.admin1 == trap.admin1, mention
    if trap.place is not ANY:
        assert mention.name == trap.place, mention
    if trap.precision is not ANY:
        assert mention.geo_precision == trap.precision, mention
    assert mention.role == trap.role, mention


@dataclass(frozen=True)
class EventTrap:
    """Every event the pipeline codes from `text` lies in `country` (and, when given, at `location`
    in `admin1`); `country` None: no event is coded in any country."""

    trap: str
    text: str
    country: str | None
    admin1: object = ANY
    location: object = ANY


EVENT_TRAPS = [
    EventTrap("dateline is no event place",
              "BAMBARI, Central African Republic — Armed men shelled a market in Bria on Monday, killing four people.",
              "Central African Republic", "Haute-Kotto", "Bria"),
    EventTrap("outlet is no event place", "Bambari 24 reported that the army shelled Bria on Friday, killing three.",
              "Central African Republic", "Haute-Kotto", "Bria"),
    EventTrap("person's name is no event place", "Gunmen shot dead Idriss Mongo, 40, in Sarh on Saturday.",
              "Chad", "Moyen-Chari", "Sarh"),
    EventTrap("weekday is no event place", "Gunmen killed six villagers near Bossangoa on Monday.",
              "Central African Republic", "Ouham"),
    EventTrap("supranational region fixes no country",
              "Jihadists attacked an army convoy somewhere in West Africa on Tuesday, killing 12 soldiers.", None),
    EventTrap("a village near a town", "Gunmen killed five people in a village near Bossangoa on Sunday.",
              "Central African Republic", "Ouham", "Bossangoa"),
    EventTrap("unknown village in its region", "Jihadists killed nine farmers in Ogossagou, Mopti region, on Sunday.",
              "Mali", "Mopti", "Ogossagou"),
    EventTrap("fold namesake abroad", "Jihadists attacked Koro in central Mali on Sunday, killing 20 people.",
              "Mali", "Mopti", "Koro"),
    EventTrap("building stands for its town", "Gunmen stormed the Ledger Palace Hotel in Bangui on Tuesday, killing two guards.",
              "Central African Republic", location="Bangui"),
    EventTrap("a place of saying is not the event's",
              "Police confirmed the killing of seven villagers in Batangafo to reporters in Bangui on Monday.",
              "Central African Republic", "Ouham-Fafa", "Batangafo"),
    EventTrap("a landmark after a place's kind word",
              "A roadside bomb killed three soldiers in Bria town, east of the capital Bangui, on Monday.",
              "Central African Republic", "Haute-Kotto", "Bria"),
    EventTrap("a landmark named as the capital",
              "Gunmen killed four traders on the road at Sibut, north of the capital, Bangui, on Friday.",
              "Central African Republic", "Kémo", "Sibut"),
    EventTrap("a place of saying named as its kind",
              "Rebels attacked an army post near Ndele on Saturday. Six soldiers were killed, an army spokesman said "
              "at a news briefing in the capital of Bangui.",
              "Central African Republic", "Bamingui-Bangoran", "Ndélé"),
    EventTrap("two spellings, one event",
              "Drones struck Abéché in eastern Chad on Monday, killing three civilians. The strike on Abeche also hit a school.",
              "Chad", "Ouaddaï", "Abéché"),
]


@pytest.mark.parametrize("trap", EVENT_TRAPS, ids=[t.trap for t in EVENT_TRAPS])
def test_event_place_trap(rules_pipeline: Pipeline, trap: EventTrap) -> None:
    """Where the clause analysis places the events (events/placing.py); the decision model chooses among
    the same places."""
    article = _article(trap.text)
    extraction = rules_pipeline.analyse(article, rules_pipeline.nlp(analysable_text(article)))
    events = extraction.events
    if trap.country is None:
        assert all(e.country is None for e in events), events
        return
    assert events, "no event coded"
    for event in events:
        assert event.country == trap.country, event
        if trap.admin1 is not ANY:
            assert event.admin1 == trap.admin1, event
        if trap.location is not ANY:
            assert trap.location in (event.location, event.location_text), event



def test_a_name_that_ends_in_a_body_word_is_an_organisation(pipeline: Pipeline) -> None:
    """'the Ouham People's Defence Forces' is a group even when the parser tags it a location (the parser's
    tags are set here, as it sometimes reads them); the town after it is still a place."""
    from spacy.tokens import Span

    doc = pipeline.nlp("Fighters of the Ouham People's Defence Forces clashed with soldiers in Bossangoa on Sunday.")
    start = next(t.i for t in doc if t.text == "Ouham")
    end = next(t.i for t in doc if t.text == "Forces") + 1
    town = next(t.i for t in doc if t.text == "Bossangoa")
    doc.ents = [Span(doc, start, end, label="LOC"), Span(doc, town, town + 1, label="GPE")]
    found = [doc[f.start:f.end].text for f in pipeline.places.recogniser.find(doc)]
    assert found == ["Bossangoa"]

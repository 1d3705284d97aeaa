"""The speech and stance verb lexicon and its word forms, and other verb word lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from haltung.text.actors.lexicon import _words

# Entries separated by white space: weak verbs as "stem", strong ones as "3sg,past,plural,
# past plural,participle"; "+particle" for separable verbs; "?a,b" cue words of which one must
# stand in the verb's clause ("?-a" rules a reading out); "!" only in modal and perfect forms
# („will … verbieten“, „hat … verhindert“). An entry repeated with other cues adds readings.
_VERB_TABLE = """
sag sag+zu erklär beton warn forder forder+auf kritisier lob lehn+ab kündig+an teil+mit
füg+hinzu äußer bezeichn verlang mahn mahn+an dräng appellier befürcht fürcht bezweifel zweifel
zweifel+an bemängel beklag klag monier rüg geißel tadel bedauer pranger+an attackier beschuldig
bezichtig unterstell droh befürwort würdig billig genehmig bewillig verurteil verteidig
unterstütz rechtfertig bestätig dementier bekräftig versicher sicher+zu bericht antwort entgegn
erwider konter argumentier twitter ergänz präzisier räum+ein mein glaub wert bewert beurteil
schätz schätz+ein vermut vermiss hoff erwart prognostizier plädier poch beharr reagier weiger
verweiger kommentier protestier distanzier wehr?sich verwahr stimm+zu freu?sich ärger?sich
wunder?sich empör?sich sorg?sich stör?sich stell+klar stell+infrage leg+nahe leg+ein leg+fest
üb?kritik meld+an signalisier vertag prüf beziffer bilanzier resümier verkünd erinner?daran dank
gratulier spott höhn läster polter jubel brandmark anerkenn! verpflicht! verbiet! abschaff!
stopp! einführ! durchsetz! verhinder! kipp! blockier! beantwort festleg! einlass! beteilig!
vorgreif! verzicht?auf hüll?schweigen votier einig?sich mach+stark setz+ein ordn+an untersag
begründ urteil verabschied attestier bescheinig demonstrier unterbreit frag formulier mach+frei
teil?einschätzung,einschätzungen,auffassung,ansicht,sorge,sorgen,bedenken,kritik,ziel,haltung
teil?position,empfehlung,empfehlungen,meinung,bewertung,befürchtung,befürchtungen
rechn?mit,damit,womit
stimm?gegen,für,dagegen,dafür
zeig?sich,verständnis
setz?ein,für,sich,auf
stell?sich,klar,infrage,frage,aussicht,hinter,abrede
leg?sich,nahe,wert,widerspruch,veto,beschwerde,einspruch,fest
mach?deutlich,klar,geltend,druck,front,stark,mobil,angaben,zusagen,verantwortlich,hoffnung
mach?vorwürfe,frei,hehl,luft
erteil?absage,abfuhr
meld?bedenken,zweifel,kritik,widerspruch,an
spricht,sprach,sprechen,sprachen,gesprochen?von,vom,sich,für,gegen,aus
spricht,sprach,sprechen,sprachen,gesprochen?darüber,hierüber,davon,dazu
red?darüber,hierüber,davon,dazu
spricht,sprach,sprechen,sprachen,gesprochen+aus
nennt,nannte,nennen,nannten,genannt
weist,wies,weisen,wiesen,gewiesen+zurück
weist,wies,weisen,wiesen,gewiesen+hin
verweist,verwies,verweisen,verwiesen,verwiesen
hält,hielt,halten,hielten,gehalten?für,dagegen,vor,entgegen,fest,zurück,nichts,viel,wenig,an
hält,hielt,halten,hielten,gehalten?bedeckt,sich
hält,hielt,halten,hielten,gehalten+vor
hält,hielt,halten,hielten,gehalten+entgegen
hält,hielt,halten,hielten,gehalten+fest
sieht,sah,sehen,sahen,gesehen?sich,als,darin,keinen,keine,kein,anders,bedarf,gefahr,chance,grund
sieht,sah,sehen,sahen,gesehen?das,die,den,in
gibt,gab,geben,gaben,gegeben?sich,zu,keine,keinen,kein,auskunft,bekannt,an,entwarnung,kontra
gibt,gab,geben,gaben,gegeben?licht
gibt,gab,geben,gaben,gegeben+zu
gibt,gab,geben,gaben,gegeben+ab
behält,behielt,behalten,behielten,behalten?für
gibt,gab,geben,gaben,gegeben+bekannt
lässt,ließ,lassen,ließen,gelassen?offen,erklären,mitteilen,ausrichten,verlauten,wissen
lässt,ließ,lassen,ließen,gelassen?unbeantwortet,sich,antwort,dahingestellt
wirft,warf,werfen,warfen,geworfen+vor
ruft,rief,rufen,riefen,gerufen+auf
ruft,rief,rufen,riefen,gerufen+zu
gibt,gab,geben,gaben,gegeben+statt
bittet,bat,bitten,baten,gebeten
schlägt,schlug,schlagen,schlugen,geschlagen+vor
schlägt,schlug,schlagen,schlugen,geschlagen?alarm
bestreitet,bestritt,bestreiten,bestritten,bestritten
widerspricht,widersprach,widersprechen,widersprachen,widersprochen
verspricht,versprach,versprechen,versprachen,versprochen
enthält,enthielt,enthalten,enthielten,enthalten?sich
schließt,schloss,schließen,schlossen,geschlossen+aus
schließt,schloss,schließen,schlossen,geschlossen?sich,aus
beschließt,beschloss,beschließen,beschlossen,beschlossen
empfiehlt,empfahl,empfehlen,empfahlen,empfohlen
rät,riet,raten,rieten,geraten
dringt,drang,dringen,drangen,gedrungen?auf
wirbt,warb,werben,warben,geworben
preist,pries,preisen,priesen,gepriesen
tritt,trat,treten,traten,getreten?für,ein,entgegen
steht,stand,stehen,standen,gestanden?hinter,dahinter
steht,stand,stehen,standen,gestanden+bei
bleibt,blieb,bleiben,blieben,geblieben?schuldig,dabei,skeptisch,zurückhaltend,bei,fern
nimmt,nahm,nehmen,nahmen,genommen?stellung,schutz,anstoß,abstand,kenntnis
erhebt,erhob,erheben,erhoben,erhoben?vorwürfe,einspruch,kritik,einwände,forderung,forderungen
bringt,brachte,bringen,brachten,gebracht?ausdruck,spiel,ins,weg
unterstreicht,unterstrich,unterstreichen,unterstrichen,unterstrichen
hebt,hob,heben,hoben,gehoben+hervor
schweigt,schwieg,schweigen,schwiegen,geschwiegen
weicht,wich,weichen,wichen,gewichen+aus
beruft,berief,berufen,beriefen,berufen?sich
wendet,wandte,wenden,wandten,gewandt?sich
wendet,wandte,wenden,wandten,gewandt+ein
trägt,trug,tragen,trugen,getragen+mit
vertritt,vertrat,vertreten,vertraten,vertreten
entscheidet,entschied,entscheiden,entschieden,entschieden
bietet,bot,bieten,boten,geboten+an
besteht,bestand,bestehen,bestanden,bestanden?auf
stößt,stieß,stoßen,stießen,gestoßen?sich
verbittet,verbat,verbitten,verbaten,verbeten
gesteht,gestand,gestehen,gestanden,gestanden+ein
reicht,reichte,reichen,reichten,gereicht+ein
erkennt,erkannte,erkennen,erkannten,erkannt+an!
weist,wies,weisen,wiesen,gewiesen+ab
vermeidet,vermied,vermeiden,vermieden,vermieden
befindet,befand,befinden,befanden,befunden
lässt,ließ,lassen,ließen,gelassen+zu
bezieht,bezog,beziehen,bezogen,bezogen?stellung,position
läuft,lief,laufen,liefen,gelaufen?sturm
tut,tat,tun,taten,getan+ab
findet,fand,finden,fanden,gefunden?-statt,-sich,-heraus
begrüß?-gäste,-teilnehmer,-teilnehmerinnen,-besucher,-delegierte,-zuschauer,-publikum,-gast
weiß,wusste,wissen,wussten,gewusst?nicht,nichts
hat,hatte,haben,hatten,gehabt?nichts,einwände,vorbehalte,verständnis,bedenken,zweifel
übergeht,überging,übergehen,übergingen,übergangen
beschreibt,beschrieb,beschreiben,beschrieben,beschrieben
"""
_MODALS = _words("""
    will wollen wollte wollten möchte möchten mochte mochten kann können konnte konnten muss
    müssen musste mussten darf dürfen durfte durften könne müsse wolle dürfe möge
    """)
_AUXILIARIES = _words("hat haben hatte hatten")
_COPULAS = _words("ist sind war waren")
_WANT = _words("will wollen wollte wollten wolle möchte möchten mochte mochten")
_NEGATIONS = _words("nicht keine keinen keiner keinerlei weder nichts")
_PASSIVE_AUX = _words("wurde wurden wird werden")
_PASSIVE_ACTOR_PARTICIPLES = frozenset({"gebeten", "aufgefordert", "gefragt", "zitiert"})
_EXTRA_INFINITIVES = _words("""
    sagen äußern kommentieren bestätigen dementieren festlegen einlassen beteiligen vorgreifen
    beantworten nennen bewerten beurteilen einschätzen abgeben machen ausschließen ankündigen
    mittragen mitmachen zustimmen unterstützen verhindern stoppen kippen verbieten abschaffen
    einführen durchsetzen verpflichten klagen vorgehen wehren prüfen stellen offenlegen
    erläutern positionieren akzeptieren festlegen beziffern bestätigen präzisieren abwarten
    anfechten
    """)
_PLURAL_AUXILIARIES = _words("""
    haben hatten sind waren werden wurden wollen wollten können konnten müssen mussten dürfen
    durften möchten mochten
    """)
_INSEPARABLE = ("be", "emp", "ent", "er", "ge", "miss", "ver", "zer", "hinter", "wider", "unter")
# Copulas, modals and verbs of plain fact („liegt“, „kostet“): without another cue, their
# subject is not taken as an actor.
_PLAIN_VERBS = _words("""
    ist sind war waren wird werden wurde wurden soll sollen sollte sollten gilt galten galt
    liegt lag lagen liegen beginnt begann beginnen endet endete enden läuft
    lief laufen tritt trat treten gehört gehörte gehören besitzt besaß zählt zählte zählen
    umfasst umfasste beschäftigt beschäftigte kostet kostete kosten steht stand stehen stieg
    steigt sank sinkt fiel fällt bleibt blieb bleiben erhält erhielt bekommt bekam verfügt
    verfügte hatte hatten gab gibt muss müssen musste mussten kann können konnte konnten
    statt
    betreibt betrieb betreiben arbeitet arbeitete arbeiten lebt lebte leben wohnt wohnte
    entsteht entstand heißt hieß trifft traf treffen reist reiste flog fliegt kam kommt kommen
    hat haben befindet befinden befand befanden richtet richtete ruft rief legte legt kamen
    """)


Readings = tuple[tuple[str, frozenset[str]], ...]  # (particle, cue words) per reading


@dataclass(frozen=True)
class Verbs:
    """The lexicon as word forms with their readings: finite verb-second, finite verb-final
    (particle attached: „zurückwies“) and non-finite (participle, infinitive)."""

    finite: dict[str, Readings]
    final: dict[str, Readings]
    nonfinite: dict[str, Readings]
    plural: frozenset[str]


def _weak_forms(stem: str) -> tuple[list[str], str, str]:
    """Finite forms (3rd person), participle and infinitive of a weak verb stem."""
    link = "e" if re.search(r"(?:[dt]|(?:ch|[bdfgkpt])[mn])$", stem) else ""
    infinitive = stem + ("n" if stem.endswith(("el", "er")) else "en")
    finite = [f"{stem}{link}t", f"{stem}{link}te", f"{stem}{link}ten", infinitive]
    untouched = stem.endswith("ier") or stem.startswith(_INSEPARABLE)
    participle = f"{stem}{link}t" if untouched else f"ge{stem}{link}t"
    return finite, participle, infinitive


def _entry_forms(entry: str) -> tuple[list[str], str, str, str, frozenset[str], bool]:
    """Parse one lexicon line into forms, particle, requirement and the non-finite-only flag."""
    only_nonfinite = entry.endswith("!")
    entry = entry.rstrip("!")
    entry, _, required = entry.partition("?")
    entry, _, particle = entry.partition("+")
    if "," in entry:
        *finite, participle = entry.split(",")
        infinitive = finite[2]
    else:
        finite, participle, infinitive = _weak_forms(entry)
    return (
        finite,
        participle,
        infinitive,
        particle,
        frozenset(filter(None, required.split(","))),
        only_nonfinite,
    )


@lru_cache(maxsize=1)
def _verbs() -> Verbs:
    finite: dict[str, list[tuple[str, frozenset[str]]]] = {}
    final: dict[str, list[tuple[str, frozenset[str]]]] = {}
    nonfinite: dict[str, list[tuple[str, frozenset[str]]]] = {
        word: [("", frozenset())] for word in _EXTRA_INFINITIVES
    }
    plural: set[str] = set(_PLURAL_AUXILIARIES)
    for line in _VERB_TABLE.split():
        forms, participle, infinitive, particle, cues, only_nonfinite = _entry_forms(line)
        reading = ("", cues)
        for form in (participle, infinitive):
            nonfinite.setdefault(particle + form, []).append(reading)
        if particle:
            nonfinite.setdefault(f"{particle}zu{infinitive}", []).append(reading)
        if only_nonfinite:
            continue
        plural.update(forms[2:])
        for form in forms:
            finite.setdefault(form, []).append((particle, cues))
            final.setdefault(particle + form, []).append(reading)
    freeze = lambda table: {k: tuple(v) for k, v in table.items()}  # noqa: E731
    return Verbs(freeze(finite), freeze(final), freeze(nonfinite), frozenset(plural))

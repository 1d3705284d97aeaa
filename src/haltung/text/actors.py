"""Actors of German news sentences: who speaks, decides or takes a position, found by rules.

No model weights are needed. A sentence is tokenised, noun phrases that can name an actor are
parsed (article, adjectives, capitalised nouns and names, a genitive or place attribute, an
apposition), and they become actors when a cue says so: the subject of a speech or stance verb
(„sagte“, „kritisierte“, „lehnte … ab“, „wollte sich nicht äußern“, „hat … zugestimmt“), an
attribution („laut X“, „nach Angaben des X“, „X zufolge“, „…, so X“, „hieß es aus X“) or a
vote. A document-level pass then gives quote-only sentences, pronoun subjects („er“, „sie“)
and reported speech in Konjunktiv I the speaker of the neighbouring sentences.

Actors are written as the annotation guidelines ask (data/haltung-news/GUIDELINES.md, §6): as in
the text with the role attached, the leading article dropped and the nominative restored
(„nach Angaben des Statistischen Bundesamts“ → „Statistisches Bundesamt“); a resolved pronoun
becomes the fullest earlier mention of its speaker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from haltung.errors import ConfigError

__all__ = ["ActorDetector", "normalise_actor"]

MAX_ACTORS = 3  # per sentence, unless conf/analyze/default.yaml sets max_actors
_MAX_NP = 14  # tokens in one noun phrase, attributes included
_MAX_LOOKAHEAD = 40  # tokens searched for a particle or a clause-final verb

# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ARTICLES = _words("der die das den dem des ein eine einer eines einem einen")
_POSSESSIVES = frozenset(
    f"{stem}{ending}"
    for stem in ("ihr", "sein", "unser")
    for ending in ("", "e", "er", "es", "em", "en")
)
_DETERMINERS = (
    _ARTICLES
    | _POSSESSIVES
    | frozenset(
        f"{stem}{ending}"
        for stem in ("dies", "jen", "jed", "kein", "manch", "welch")
        for ending in ("e", "er", "es", "em", "en")
    )
    | frozenset({"kein", "beide", "beiden", "mehrere", "mehrerer", "einige", "einiger", "alle"})
    | frozenset({"dessen", "deren"})
)
_NOMINATIVE_DETERMINERS = frozenset(
    {"der", "die", "das", "ein", "eine", "kein", "keine", "ihr", "ihre", "sein", "seine"}
    | {"unser", "unsere", "beide", "mehrere", "einige", "alle", "diese", "dieser", "dieses"}
    | {"dessen", "deren"}
)
_PRONOUNS = {"er": "m", "sie": "f"}

# Capitalised at the start of a sentence, but never the start of an actor's name.
_FUNCTION_WORDS = _words("""
    ab abseits als also am an angesichts anders anfang auch auf aufgrund aus außer außerdem
    bald bei beim bereits besonders bis bislang bisher da dabei dadurch dafür dagegen daher
    damals damit danach daneben dann daran darauf darüber darum das dass dem den denen denn
    dennoch der deren derzeit des deshalb dessen deswegen dies diese diesem diesen dieser dieses
    doch dort dorthin du durch eben ebenfalls ebenso eher ein eine einem einen einer eines
    einst endlich entgegen entlang entsprechend er erst erstmals es etwa euch falls fast ferner
    freilich für ganz gar gegen gegenüber gemäß genau gerade gestern gleichzeitig gleichwohl
    heute hier hierzu hingegen hinter ich ihm ihn ihnen ihr ihre im immer immerhin in indes
    infolge inmitten innerhalb insbesondere inzwischen je jedoch jetzt jüngst kaum laut lediglich
    lange längst man mehr meist mit mitte mittlerweile morgen nach nachdem nahezu neben nicht
    nichts nie noch nun nur ob obwohl oder ohne schließlich schon sehr seit seitdem selbst
    sich sie so sobald sodass sofern sogar solange somit sondern sowie sowohl später statt
    stets trotz trotzdem über überdies um und uns unter unterdessen vergangene vergangenen
    viel vielmehr vom von vor vorerst vorher während wann warum was weder wegen weil weiter
    weiterhin wenn wer weshalb wie wieder wiederum wir wo wobei wodurch wohl womit wonach
    zudem zufolge zugleich zuletzt zum zumal zunächst zur zurzeit zuvor zwar zwischen
    allerdings ausgerechnet bekanntlich deutlich einmal erneut folglich gleichfalls jedenfalls
    nochmals offenbar offenkundig ohnehin scheinbar seither sicher sicherlich tatsächlich
    vermutlich vielleicht wenigstens ähnlich ebenso zuerst zugunsten zulasten anstelle mithilfe zu
    aufseiten seitens hinsichtlich bezüglich betreffend irgendwann irgendwie jedenfalls
    """)
# Words that may stand before the subject in the first position of a main clause.
_FOCUS_WORDS = _words(
    "auch selbst sogar nur gerade ausgerechnet insbesondere zumindest allein lediglich"
)
# Adverbs (and similar) that may stand between a finite verb and its subject.
_MIDFIELD = _words("""
    sich es das dies dazu darauf daran dagegen davon auch aber jedoch allerdings zudem zugleich
    indes hingegen dabei nun jetzt bereits schon erneut nochmals ebenfalls daraufhin umgehend
    später zuvor zunächst inzwischen gestern heute am an einem montag dienstag mittwoch
    donnerstag freitag samstag sonntag wochenende abend morgen vormittag nachmittag montagabend
    dienstagabend mittwochabend donnerstagabend freitagabend sonntagabend samstagabend
    selbst ihrerseits seinerseits ausdrücklich lediglich nur noch zufolge gegenüber ihm ihnen
    ihn diese diesen dieses zwar damals unterdessen unabhängig davon
    """)
_BOUNDARIES = frozenset({",", ";", ":", ".", "!", "?", "–", "—", "…"})
_QUOTES_OPEN = frozenset({"„", "»", "‚"})
_QUOTES_CLOSE = frozenset({"“", "«", "‘", "”"})
_QUOTES = _QUOTES_OPEN | _QUOTES_CLOSE | {'"'}
_SUBORDINATORS = _words("während nachdem weil da wie obwohl wenn bevor seitdem sobald zumal indem")
_RELATIVES = _words("der die das dem den denen dessen deren")
_NAME_PARTICLES = _words("van de da di du al bin ibn el for of the and la le y")
_NUMBER_WORDS = _words(
    "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig hundert tausend mehreren"
)

# Nouns that name a person by role (matched as the end of a compound, lower case).
_ROLE_RE = re.compile(
    r"(?:sprecher|chef|präsident|minister|vorsitzende[rn]?|vorsitzender|direktor|leiter|"
    r"sekretär|vertreter|abgeordnete[rn]?|politiker|meister|anwalt|anwältin|richter|experte|"
    r"expertin|ökonom|forscher|wissenschaftler|professor|kanzler|senator|stadtrat|stadträtin|"
    r"referent|dezernent|führer|gründer|vorstand|vorständin|mitglied|botschafter|beauftragte[rn]?|"
    r"berater|kommissar|landrat|landrätin|obmann|obfrau|walter|bischof|bischöfin|pfarrer|"
    r"inhaber|trainer|manager|analyst|intendant|rektor|dekan|premier|machthaber|könig|papst|"
    r"kardinal|arzt|ärztin|lehrer|juristin?|rechtler|kämmerer|baurat|rätin|herr|ratsherr|"
    r"erstatter|verteidiger|kläger|prüfer|kandidat|diplomat|veranstalter|vize|präses|"
    r"kapitän|sachwalter|gesandte[rn]?|delegierte[rn]?|vorsteher|aktivist|sozialarbeiter|"
    r"unternehmer|ermittler|historiker|soziologe|soziologin|ethiker|theologe|theologin|"
    r"philosoph|psychologe|psychologin|virologe|virologin|mediziner|epidemiologe|"
    r"demograf|jurist|ökonomin|geschäftsführung|direktorium|schwester|bruder|tochter|sohn|"
    r"mutter|vater|witwe|ehefrau|ehemann|opfer|betroffene[rn]?|angehörige[rn]?|zeuge|zeugin|"
    r"pfleger|helfer|erzieher|mitarbeiter|beschäftigte[rn]?|fahrer|arbeiter|landwirt|winzer|"
    r"händler|bewohner|anwohner|nutzer|kunde|patient|schüler|student|eltern|familie|erbe)"
    r"(?:in|innen|en|n|s)?$"
)
# Nouns that name an institution or a group (end of a compound, lower case).
_ORG_RE = re.compile(
    r"(?:ministerium|ministerien|amt|ämter|rat|räte|tag|verband|verbände|bund|kommission|"
    r"gericht|hof|institut|kommando|behörde|regierung|partei|fraktion|gewerkschaft|vereinigung|"
    r"gesellschaft|agentur|stiftung|kammer|konferenz|kirche|organisation|polizei|bank|"
    r"staatsanwaltschaft|präsidium|direktion|büro|sekretariat|komitee|ausschuss|parlament|"
    r"senat|verwaltung|konzern|unternehmen|verein|union|liga|allianz|netzwerk|initiative|"
    r"bündnis|vertretung|botschaft|armee|streitkräfte|zentrale|kasse|kassen|gremium|beirat|"
    r"kreise|klinikum|universität|hochschule|akademie|zentrum|stadt|gemeinde|landkreis|bistum|"
    r"diözese|kabinett|koalition|opposition|werft|reederei|hersteller|betreiber|gruppe|"
    r"forum|front|bewegung|dienst|dienste|flügel|leitung|spitze|vorstand|aufsicht|kanzlei|"
    r"generalkonsulat|konsulat|mission|delegation|delegationen|ring|club|klub|vorstand|"
    r"staatskanzlei|stadtwerke|werke|bahn|post|börse|fonds|fachverband|landesverband|"
    r"kreisverband|ortsverband|sender|rundfunk|hilfswerk|programm|länder|land|staaten|"
    r"mitgliedstaaten|arbeitgeber|verbraucherzentrale|ärztekammer|handwerk|wirtschaft|"
    r"industrie|zentralrat|sachverständigenrat|landeskirche|erzbistum|dekanat|landratsamt|"
    r"rathaus|magistrat|bezirksamt|bezirk|kreis)(?:e|en|n|s|es)?$"
)
# Nouns a subject cannot act with: texts, plans, events, figures (end of a compound).
_INANIMATE_RE = re.compile(
    r"(?:gesetz|entwurf|text|vorlage|plan|pläne|reform|bericht|studie|papier|erklärung|"
    r"resolution|antrag|regel|regelung|verordnung|vertrag|abkommen|projekt|unwetter|sturm|"
    r"urteil|entscheidung|beschluss|maßnahme|zahl|zahlen|statistik|daten|umfrage|analyse|"
    r"prognose|kritik|debatte|streit|frage|vorschlag|konzept|haushalt|satzung|satzungen|"
    r"kamera|kameras|software|system|app|wort|worte|brief|schreiben|mitteilung|stellungnahme|"
    r"vorstoß|vorhaben|modell|änderung|novelle|paket|strategie|gutachten|ergebnis|ergebnisse|"
    r"schritt|verfahren|prozess|ermittlungen|lage|situation|woche|monat|wetter|"
    r"preis|preise|kosten|summe|anteil|quote|wert|werte|grafik|tabelle|video|foto|bild|"
    r"titel|überschrift|schlagzeile|liste|formel|dokument|protokoll|memorandum|petition|"
    r"gesetzentwurf|idee|forderung|debatte|diskussion|bilanz|runde|abstimmung|sitzung|treffen|"
    r"gipfel|termin|anhörung|wahl|tagung|politik|ausgaben|einnahmen|kämpfe|angriff|angriffe|"
    r"euro|dollar|prozent|million|milliarde|kilometer|tonne|stunde)"
    r"(?:e|en|n|s)?$"
)
# News agencies, newspapers and journalists are never actors.
_MEDIA_RE = re.compile(
    r"^(?:dpa|afp|reuters|ap|kna|epd|sid|bloomberg|ansa|apa|tass|xinhua|ria)$|"
    r"(?:nachrichtenagentur|presseagentur|presse-agentur|zeitung|zeitungen|redaktion|"
    r"journalist|journalistin|journalisten|reporter|reporterin|korrespondent|"
    r"korrespondentin|magazin|blatt|medien|medienberichte|medienberichten|"
    r"nachrichtenportal|portal|zeitschrift|agentur[a-z]*bericht)$"
)
# Neuter and feminine noun endings, for the gender of an actor (pronouns, nominative forms).
_NEUTER_RE = re.compile(
    r"(?:ium|amt|institut|gericht|land|büro|komitee|parlament|unternehmen|haus|werk|kommando|"
    r"sekretariat|präsidium|gremium|programm|bündnis|netzwerk|zentrum|klinikum|kabinett|"
    r"forum|bistum|erzbistum|dekanat|kollegium|konsulat|generalkonsulat|team|weiße haus|"
    r"mitglied|vorstandsmitglied|direktoriumsmitglied|kind|hilfswerk|rathaus|ministerium)$"
)
_FEMININE_RE = re.compile(
    r"(?:in|ung|schaft|ion|ei|tät|heit|keit|bank|kammer|stadt|behörde|partei|union|liga|"
    r"konferenz|kirche|stiftung|agentur|zentrale|kasse|börse|organisation|allianz|initiative|"
    r"fraktion|regierung|opposition|koalition|vertretung|botschaft|armee|akademie|universität|"
    r"hochschule|gemeinde|verwaltung|werft|reederei|gruppe|front|bewegung|leitung|spitze|"
    r"aufsicht|kanzlei|mission|delegation|bahn|post|linke|kommission|staatskanzlei|"
    r"verbraucherzentrale|wirtschaft|industrie|landeskirche|diözese|polizei|staatsanwaltschaft)$"
)
# A nominalised adjective or participle heading a noun phrase („der Beschuldigte“).
_NOMINALISED_RE = re.compile(
    r"(?:beauftragt|vorsitzend|beschuldigt|angeklagt|abgeordnet|angehörig|verantwortlich|"
    r"betroffen|sachverständig|delegiert|bevollmächtigt|gesandt|angestellt|beamt|grün|link|"
    r"liberal|konservativ|reisend|jugendlich|erwachsen|verletzt|gefangen|geflüchtet|"
    r"vertrieben|verwandt|bekannt|deutsch|freiwillig|selbstständig|arbeitslos|versichert|"
    r"berechtigt|beteiligt|gewählt|zuständig|verdächtig|verbündet)(?:e|en|er)$"
)
_LOWER_COMPOUND_RE = re.compile(r"^[a-zäöü]{2,6}-[A-ZÄÖÜ]")  # „fzs-Vorstandsmitglied“
_ADJECTIVE_RE = re.compile(r"^[a-zäöüß][a-zäöüß-]*(?:e|en|er|es|em)$")
_CAP_ADJECTIVE_RE = re.compile(
    r"^(?:[A-ZÄÖÜ][\w-]*(?:isch|lich|ig|är|al|ell|iv|ös|end|igt)|"
    r"Deutsch|Frei|Neu|Grün|Link|Vereinigt|Vereint|Weiß|Rot|Schwarz|Hoh|Groß|Oberst|Erst|Zweit|Jung|"
    r"Alt|Gemeinsam|Evangelisch|Katholisch|Christlich|Sozial|Bayerisch|Paritätisch)"
    r"(?:e|en|er|es|em)$"
)
_KONJUNKTIV = _words("""
    sei seien seist habe werde könne müsse solle wolle dürfe möge gebe stehe liege gehe komme
    fehle bleibe brauche trage zeige lasse mache sehe wisse wirke bedeute diene gelte reiche
    schade treffe führe halte handle handele finde nehme lege setze sorge erfordere verhindere
    gefährde gefährdeten drohe arbeite prüfe plane erwarte rechne hoffe befürchte fürchte
    unterstütze lehne begrüße kritisiere fordere verlange beginne entspreche bestehe
    verstoße leide zahle koste spare verliere gewinne erhalte bekomme benötige äußere
    hätten wären würden hätte wäre würde könnten müssten sollten dürften gäbe läge stünde
    """)
_SOURCE_NOUNS = _words("""
    angaben ansicht auffassung einschätzung darstellung informationen schätzungen schätzung
    worten aussage aussagen berechnungen erkenntnissen erkenntnisse umfrage studie analyse
    daten zahlen erhebung statistik prognose mitteilung meinung überzeugung sicht einschätzungen
    auskunft auskünften berichten bericht
    """)
_REACTION_NOUNS = _words("""
    kritik lob beifall widerspruch zustimmung unterstützung rückendeckung protest proteste
    widerstand applaus ablehnung forderungen rufe warnungen bedenken zweifel skepsis empörung
    unmut ärger verärgerung unverständnis entsetzen begeisterung stellungnahme reaktion antwort
    kommentar bestätigung rückenwind
    """)
_RECEIVE_VERBS = _words("""
    kam kamen kommt kommen gab gibt lag liegt lagen erhielt erhält erhielten bekam bekommt
    bekamen erntete erntet ernteten
    """)
_MEET_VERBS = _words("""
    stößt stieß stoßen stießen sorgt sorgte sorgen sorgten löst löste lösten ausgelöst
    """)
_DOCUMENT_NOUNS = _words("""
    mitteilung erklärung pressemitteilung stellungnahme bericht monatsbericht jahresbericht
    positionspapier papier beschluss schreiben brief antwort statement gutachten studie
    analyse konzept entwurf text
    """)
_ADVERB_RE = re.compile(r"^[a-zäöü]+(?:iv|ischer|licher|iger|lich|isch|ig|los|bar|sam|haft|end)$")
_ATTRIBUTE_PREPOSITIONS = _words("in im aus von vom bei beim an am auf für gegen um mit")
_SUBJECT_ADVERBS = _words(
    "selbst allein dagegen hingegen wiederum jedoch indes ihrerseits seinerseits nun"
)
_NOT_PLACES = _words("""
    schweigen sorge sorgen kraft frage zukunft höhe richtung anspruch schutz kontakt gefahr haft
    ruhe rede rente betrieb kürze teilen grenzen maßen kauf zusammenhang erwägung aussicht
    """)
_ABSTRACT_RE = re.compile(r"(?:ung|heit|keit|schaft|tät|ion|ismus|nis|ie)$")
_PLACE_BODIES_RE = re.compile(
    r"(?:tag|rat|parlament|haus|versammlung|ausschuss|senat|bürgerschaft|kammer|regierung|"
    r"landtag|bundestag|stadtrat|kreistag|gemeinderat|abgeordnetenhaus)$"
)

# ---------------------------------------------------------------------------------------------
# Verb lexicon
# ---------------------------------------------------------------------------------------------
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
rechn?mit,damit
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
steht,stand,stehen,standen,gestanden?hinter
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


_Readings = tuple[tuple[str, frozenset[str]], ...]  # (particle, cue words) per reading


@dataclass(frozen=True)
class _Verbs:
    """The lexicon as word forms with their readings: finite verb-second, finite verb-final
    (particle attached: „zurückwies“) and non-finite (participle, infinitive)."""

    finite: dict[str, _Readings]
    final: dict[str, _Readings]
    nonfinite: dict[str, _Readings]
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
def _verbs() -> _Verbs:
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
    return _Verbs(freeze(finite), freeze(final), freeze(nonfinite), frozenset(plural))


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_EDGE_RE = re.compile(r"^[\s\"'„“”‚‘’»«()\[\],.;:!?–—-]+|[\s\"'„“”‚‘’»«()\[\],.;:!?–—-]+$")
_SPACE_RE = re.compile(r"\s+")


def normalise_actor(actor: str) -> str:
    """Comparable form: casefolded, leading articles/determiners removed, edges stripped."""
    text = _SPACE_RE.sub(" ", actor.casefold()).strip()
    while True:
        text = _EDGE_RE.sub("", text)
        head, _, rest = text.partition(" ")
        if not rest or head not in _DETERMINERS:
            return text
        text = rest


# ---------------------------------------------------------------------------------------------
# Tokens and noun phrases
# ---------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"(?:Dr|Prof|Dipl|Ing|St|Hl|jun|sen|med|rer|nat|phil|jur)\.(?=\s)"
    r"|[^\W\d_][\w]*(?:[-'’.&]{1,2}[^\W_][\w]*)*-?"
    r"|\d[\d.,:]*"
    r"|\S"
)
_DATELINE_END = frozenset({"–", "—", "-"})


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    low: str
    cap: bool
    word: bool


def _tokenise(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        word = match.group()
        first = word[0]
        tokens.append(
            _Token(word, match.start(), match.end(), word.lower(), first.isupper(), first.isalpha())
        )
    return tokens


def _skip_dateline(tokens: list[_Token]) -> int:
    """Index after a dateline such as „TAIPEH, Taiwan – “ (0 when there is none)."""
    if not tokens or not (tokens[0].word and tokens[0].text.isupper() and len(tokens[0].text) > 1):
        return 0
    for i, token in enumerate(tokens[:8]):
        if token.text in _DATELINE_END and i > 0:
            return i + 1
    return 0


@dataclass(slots=True)
class _Phrase:
    """A noun phrase that may name an actor, with the parts the written form is built from."""

    start: int  # first token (the determiner, if any)
    end: int  # one past the last token, attributes and apposition included
    det: str | None
    head_start: int  # first token after the determiner
    head_end: int  # one past the nominal core (adjectives, nouns, names)
    oblique: bool = False  # governed by a preposition or a genitive: dative/genitive case
    apposition: _Phrase | None = None
    tail_end: int = 0  # one past the attributes (genitive, place), before the apposition


@dataclass(slots=True)
class _Candidate:
    text: str
    rank: int
    position: int
    gender: str | None = None
    person: bool = False
    pronoun: str | None = None


@dataclass(slots=True)
class _Analysis:
    """What one sentence says by itself."""

    actors: list[_Candidate]
    pronoun: str | None = None  # gender of an „er“/„sie“ subject of a stance verb
    quote_only: bool = False  # „…“ with nothing but punctuation after the quotation
    quote_start: bool = False  # begins with an opening quotation mark
    quote_opened: bool = False  # ends inside an open quotation
    quote_closed: bool = False  # has a closing quotation mark
    quote_continued: bool = False  # its first quotation mark closes one opened before
    attribution_only: bool = False  # „Das sagte Rutte am Donnerstag.“
    reported: bool = False  # Konjunktiv I, „man“, „hieß es“ without a source
    heading: bool = False
    there: bool = False  # „Dort hieß es …“: the institution named in the sentence before
    sentence: _Sentence | None = None


class _Sentence:
    """One tokenised sentence and the parsing routines that work on it."""

    def __init__(self, text: str, gazetteer: _Gazetteer, entities: dict[int, int]):
        self.text = text
        self.tokens = _tokenise(text)
        self.n = len(self.tokens)
        self.first = _skip_dateline(self.tokens)
        self.gazetteer = gazetteer
        self.entities = entities  # token index -> end of a named entity (spaCy, optional)
        self._np_cache: dict[tuple[int, bool | None], _Phrase | None] = {}
        self.subject_verbs: set[int] = set()  # verbs whose subject stands before them

    # -- token tests ---------------------------------------------------------------------------

    def low(self, i: int) -> str:
        return self.tokens[i].low if 0 <= i < self.n else ""

    def is_name_word(self, i: int) -> bool:
        """A capitalised word that can be part of a noun or a name."""
        if not 0 <= i < self.n:
            return False
        token = self.tokens[i]
        if not token.word:
            return False
        if not token.cap:
            return bool(_LOWER_COMPOUND_RE.match(token.text))
        if token.low in _FUNCTION_WORDS and not token.text.isupper() and self.capitalised_anyway(i):
            return False
        return not (token.low in _PRONOUNS or token.low in _DETERMINERS)

    def capitalised_anyway(self, i: int) -> bool:
        """Position where any word is capitalised: sentence start, after a colon or a quote."""
        return i <= self.first or self.tokens[i - 1].text in (":", "„", "»", "(", "–", '"', "‚")

    def is_adjective(self, i: int) -> bool:
        token = self.tokens[i] if 0 <= i < self.n else None
        if token is None or token.cap or not _ADJECTIVE_RE.match(token.text):
            return False
        verbs = _verbs()
        return not (
            token.low in _FUNCTION_WORDS
            or token.low in verbs.finite
            or token.low in verbs.nonfinite
            or token.low in _DETERMINERS
            or token.low in _KONJUNKTIV
        )

    def boundary(self, i: int) -> bool:
        return i >= self.n or self.tokens[i].text in _BOUNDARIES

    # -- noun phrases --------------------------------------------------------------------------

    def phrase(self, i: int, oblique: bool = False, attributes: bool = True) -> _Phrase | None:
        key = (i, oblique if attributes else None)
        if key not in self._np_cache:
            self._np_cache[key] = self._parse_phrase(i, oblique, attributes)
        return self._np_cache[key]

    def _parse_phrase(self, i: int, oblique: bool, attributes: bool) -> _Phrase | None:
        if not 0 <= i < self.n:
            return None
        j, det = i, None
        if self.low(j) in ("rund", "etwa", "mehr", "knapp", "fast", "über") and self._number(j + 1):
            j += 1
        if self._number(j) and (self.is_name_word(j + 1) or self.is_adjective(j + 1)):
            j += 1  # „18 jüngere Abgeordnete“, „Tausende Studierende“: the number is dropped
        if self.low(j) in _DETERMINERS:
            det, j = self.low(j), j + 1
            number = self.low(j)
            if (
                number in _NUMBER_WORDS
                or number in ("beiden", "anderen", "übrigen")
                or (number[:1].isdigit() and number.endswith("."))
            ):
                j += 1
        head_start = j
        while j - head_start < 3 and self.is_adjective(j) and self.is_name_word(j + 1):
            j += 1
        core = j
        j = self._core(j)
        if j == core:
            return None
        phrase = _Phrase(i, j, det, head_start, j, oblique)
        if attributes:
            j = self._attributes(phrase)
            phrase.tail_end = j
            phrase.end = j
            self._apposition(phrase)
        else:
            phrase.tail_end = j
        return phrase

    def _number(self, j: int) -> bool:
        low = self.low(j)
        return low[:1].isdigit() or low in _NUMBER_WORDS or low in ("tausende", "hunderte")

    def _core(self, j: int) -> int:
        """End of the capitalised nominal core starting at j (gazetteer names first)."""
        start = j
        while j < self.n and j - start < 8:
            step = self._core_step(j, start)
            if not step:
                break
            j = step
        return j

    def _core_step(self, j: int, start: int) -> int:
        """End of the next piece of a core at j, or 0 where the core ends."""
        if j in self.entities:
            return self.entities[j]
        known = self.gazetteer.match(self.tokens, j)
        if known:
            return known
        text, low = self.tokens[j].text, self.low(j)
        if self.is_name_word(j) or (text in ("Dr.", "Prof.") and self.is_name_word(j + 1)):
            return j + 1
        if low in ("van", "de", "da", "di", "al") and self.is_name_word(j + 1):
            return j + 1  # „van Doorn“
        if j == start:
            return 0
        if text in ("Dr.", "Prof."):
            return j + 1
        if text == "„" and _ORG_RE.search(self.low(j - 1)):
            return self._quoted_name(j)
        follows = self.is_name_word(j + 1)
        nxt = self.tokens[j + 1].text if j + 1 < self.n else ""
        if low.isdigit() and self.is_name_word(j - 1) and nxt[:1].islower():
            return j + 1  # „SV Buer 1912“
        # „Haus- und Grundbesitzerverein“: a truncated compound joined by „und“.
        if self.tokens[j - 1].text.endswith("-") and low in ("und", "oder") and follows:
            return j + 1
        # „Vincent van Gogh“, „Save the Children“, „Justice for Myanmar“.
        if low in _NAME_PARTICLES and follows:
            return j + 1
        # „Dachverband entwicklungspolitischer Organisationen“, „Verband kommunaler Unternehmen“.
        adjective = re.fullmatch(r"[a-zäöüß-]+er", low) and low not in _FUNCTION_WORDS
        if _ORG_RE.search(self.low(j - 1)) and adjective and follows:
            return j + 1
        return 0

    def _quoted_name(self, j: int) -> int:
        """„Fanvereinigung „Donaufelder Kurve““: a quoted name after a noun."""
        for k in range(j + 1, min(self.n, j + 7)):
            if self.tokens[k].text in _QUOTES_CLOSE:
                return k + 1 if k > j + 1 else 0
            if not self.tokens[k].word:
                return 0
        return 0

    def head_word(self, phrase: _Phrase) -> str:
        return self.tokens[phrase.head_end - 1].low

    def core_words(self, phrase: _Phrase) -> list[str]:
        return [t.low for t in self.tokens[phrase.head_start : phrase.head_end]]

    def is_common(self, phrase: _Phrase) -> bool:
        """The core has a role or institution noun (it can take a genitive attribute)."""
        words = self.core_words(phrase)
        if any(_ROLE_RE.search(w) or _ORG_RE.search(w) for w in words):
            return True
        return self.gazetteer.known(" ".join(words))

    def is_institution(self, phrase: _Phrase) -> bool:
        words = self.core_words(phrase)
        if any(_ROLE_RE.search(w) for w in words):
            return False
        return any(_ORG_RE.search(w) for w in words) or self.gazetteer.known(" ".join(words))

    def _attributes(self, phrase: _Phrase) -> int:
        """Extend over genitive, „von“, „für“ and place attributes: „Sprecher des Auswärtigen
        Amts“, „Oberbürgermeister von zwölf Ruhrgebietsstädten“, „Grüne im Duisburger Rat“."""
        j = phrase.head_end
        common = self.is_common(phrase) or (phrase.det is not None and not phrase.oblique)
        person = self.is_person(phrase)
        for _ in range(3):
            end = 0
            low = self.low(j)
            if common and low in ("des", "der", "eines", "einer", "mehrerer"):
                end = self._genitive(j, phrase)
            elif common and low == "für" and self.is_name_word(j + 1):
                end = self._core(j + 1)
                if self.low(end) == "und" and self.is_name_word(end + 1):
                    end = self._core(end + 1)
            elif low in ("von", "vom"):
                end = self._von(j)
            elif not (person and self._has_name(phrase)):
                end = self._place(j, institution=True)
            if not end or end - phrase.start > _MAX_NP:
                break
            j = end
        return j

    def _genitive(self, j: int, phrase: _Phrase) -> int:
        inner = self.phrase(j, oblique=True, attributes=False)
        if inner is None or self.is_media(inner):
            return 0
        return inner.end

    def _von(self, j: int) -> int:
        """End of „von der Frankfurt School“, „von zwölf Ruhrgebietsstädten“, „von der Leyen“."""
        k = j + 1
        if self.low(j) == "von" and self.low(k) in ("der", "den", "dem"):
            k += 1
        if self.low(k) in _NUMBER_WORDS or self.low(k).isdigit():
            k += 1
        while self.is_adjective(k) and k - j < 4:
            k += 1
        if not self.is_name_word(k):
            return 0
        end = self._core(k)
        return end if end - j <= 6 else 0

    def _place(self, j: int, institution: bool) -> int:
        """End of „in Taipeh“, „aus Schleswig-Holstein“ (institutions), „im Landtag“."""
        low = self.low(j)
        if institution and low in ("in", "aus") and self._place_name(j + 1):
            end = self._core(j + 1)
            return end if end - j <= 4 else 0
        article = self.low(j + 1) in ("dem", "der", "den")
        if institution and low == "aus" and article and self._place_name(j + 2):
            end = self._core(j + 2)
            return end if end - j <= 5 else 0
        if institution and low in ("bei", "beim"):
            k = j + 2 if self.low(j + 1) in ("den", "der", "dem") else j + 1
            known = self.gazetteer.match(self.tokens, k) if k < self.n else 0
            if known or (k < self.n and self.gazetteer.known(self.low(k))):
                return known or k + 1
        if low in ("im", "in") and (low == "im" or self.low(j + 1) in ("der", "den")):
            k = j + 1 if low == "im" else j + 2
            while self.is_adjective(k) or (self.is_name_word(k) and self.is_name_word(k + 1)):
                k += 1
            if self.is_name_word(k) and _PLACE_BODIES_RE.search(self.tokens[k].low):
                return k + 1
        return 0

    def _place_name(self, k: int) -> bool:
        """A capitalised word that can name a place (not „Schweigen“, „Sorge“, „Zukunft“)."""
        if not self.is_name_word(k):
            return False
        low = self.low(k)
        if self.gazetteer.known(low):
            return True
        return not (low in _NOT_PLACES or _ABSTRACT_RE.search(low))

    def _apposition(self, phrase: _Phrase) -> None:
        """„Die Präsidentin der Wirtschaftsvereinigung Stahl, Dr. Claudia Neuhaus, …“."""
        j = phrase.end
        if self.low(j) != "," or phrase.oblique:
            return
        common = self.is_common(phrase) or phrase.det is not None
        inner = self.phrase(j + 1, oblique=False, attributes=True)
        if inner is None or inner.end - phrase.start > _MAX_NP + 6:
            return
        if self.low(inner.end) not in (",",) and not self.boundary(inner.end):
            return
        inner_common = self.is_common(inner)
        name_only = (
            inner.det is None and not inner_common and inner.head_end - inner.head_start >= 2
        )
        role_with_name = inner_common and inner.det is None and inner.head_start < inner.head_end
        if common:
            joined = name_only or (inner.det is not None and self._has_name(inner))
        else:  # „Vedant Patel, stellvertretender Hauptsprecher des US-Außenministeriums, …“
            joined = role_with_name and self.is_name_phrase(phrase)
        if joined:
            phrase.apposition, phrase.end = inner, inner.end

    def _has_name(self, phrase: _Phrase) -> bool:
        """A role followed by a personal name: „CDU-Europaabgeordnete Thomas Weigel“."""
        words = self.tokens[phrase.head_start : phrase.head_end]
        return len(words) >= 2 and not _ROLE_RE.search(words[-1].low)

    def is_name_phrase(self, phrase: _Phrase) -> bool:
        words = self.tokens[phrase.head_start : phrase.head_end]
        if not all(w.cap for w in words if w.word and w.low not in _NAME_PARTICLES):
            return False
        return (
            phrase.det is None
            and len(words) >= 2
            and not any(_ROLE_RE.search(w.low) or _ORG_RE.search(w.low) for w in words)
        )

    def is_media(self, phrase: _Phrase) -> bool:
        if self.gazetteer.match(self.tokens, phrase.head_start):
            return False
        return any(
            _MEDIA_RE.search(t.low) for t in self.tokens[phrase.head_start : phrase.head_end]
        )

    def is_inanimate(self, phrase: _Phrase) -> bool:
        nouns = [t.low for t in self.tokens[phrase.head_start : phrase.head_end] if t.cap]
        return bool(nouns and _INANIMATE_RE.search(nouns[0])) and not self.is_common(phrase)

    def is_person(self, phrase: _Phrase) -> bool:
        words = self.tokens[phrase.head_start : phrase.head_end]
        if any(_ROLE_RE.search(w.low) for w in words):
            return True
        return self.is_name_phrase(phrase)

    def coordinated(self, phrase: _Phrase) -> list[_Phrase]:
        """„Grüne und Linke“, „der Caritasverband und die Diakonie“ as separate phrases."""
        phrases = [phrase]
        j = phrase.end
        while len(phrases) < 4 and self.low(j) in ("und", "sowie", ","):
            nxt = self.phrase(j + 1)
            if nxt is None or nxt.det not in (None, *_NOMINATIVE_DETERMINERS):
                break
            if self.low(j) == "," and self.low(nxt.end) not in ("und", "sowie", ","):
                break
            if self._one_person(phrases[-1], nxt):
                merged = _Phrase(phrase.start, nxt.end, phrase.det, phrase.head_start, nxt.head_end)
                merged.tail_end, merged.oblique = nxt.tail_end, phrase.oblique
                return [merged]
            phrases.append(nxt)
            j = nxt.end
        return phrases

    def _one_person(self, first: _Phrase, second: _Phrase) -> bool:
        """„die Intensivpflegerin und Streikdelegierte Maren Oltmanns“: two roles, one name."""
        return (
            first.head_end - first.head_start == 1
            and bool(_ROLE_RE.search(self.head_word(first)))
            and second.det is None
            and self._has_name(second)
        )

    # -- clauses -------------------------------------------------------------------------------

    def clause_end(self, i: int) -> int:
        """First boundary token at or after i outside a short quotation (bounded lookahead)."""
        limit = min(self.n, i + _MAX_LOOKAHEAD)
        while i < limit and self.tokens[i].text not in _BOUNDARIES:
            if self.tokens[i].text in _QUOTES_OPEN:
                close = self._quote_close(i)
                if close:
                    i = close
            i += 1
        return min(i, self.n)

    def _quote_close(self, i: int) -> int:
        """The closing mark of a quotation of at most 25 tokens opened at i, else 0."""
        for k in range(i + 1, min(self.n, i + 25)):
            if self.tokens[k].text in _QUOTES_CLOSE:
                return k
        return 0

    def clause_start(self, i: int) -> int:
        """Index after the boundary token before i (bounded lookbehind)."""
        limit = max(self.first, i - _MAX_LOOKAHEAD)
        while i > limit and self.tokens[i - 1].text not in _BOUNDARIES:
            i -= 1
        return i

    def requirement_met(self, verb: int, readings: _Readings) -> bool:
        """One reading of the verb has its particle after it, or its cue word in the clause."""
        end = self.clause_end(verb + 1)
        words = {t.low for t in self.tokens[self.clause_start(verb) : end]}
        for particle, cues in readings:
            if particle and not self.particle_after(verb, particle):
                continue
            wanted = {c for c in cues if not c.startswith("-")}
            if wanted and not wanted & words:
                continue
            if any(c[1:] in words for c in cues if c.startswith("-")):
                continue
            return True
        return False

    def vetoed(self, verb: int) -> bool:
        """A reading of the verb is ruled out by a word in its clause („begrüßte die Gäste“)."""
        readings = _verbs().finite.get(self.low(verb), ())
        words = {t.low for t in self.tokens[self.clause_start(verb) : self.clause_end(verb + 1)]}
        return any(c[1:] in words for _, cues in readings for c in cues if c.startswith("-"))

    def particle_after(self, verb: int, particle: str) -> bool:
        """The separable particle closes the clause of the verb (relative clauses skipped)."""
        limit = min(self.n, verb + _MAX_LOOKAHEAD)
        for k in range(verb + 1, limit):
            text = self.tokens[k].text
            if text in (".", ";", ":", "?", "!"):
                return False
            if self.tokens[k].low == particle and (
                self.boundary(k + 1) or self.low(k + 1) in ("und", "oder", "“", "zu")
            ):
                return True
        return False

    def stance_verb(self, i: int) -> bool:
        """A finite verb at i heads a speech or stance predicate (V2 or verb-first)."""
        low = self.low(i)
        if not low or (self.tokens[i].cap and i != self.first):
            return False
        verbs = _verbs()
        if low in verbs.finite:
            if low.startswith(("befand", "befind")) and self.low(i + 1) == "sich":
                return False  # „befand sich in …“: a place, not a finding
            if self.requirement_met(i, verbs.finite[low]):
                return True
        if (low in _MODALS and not low.startswith(("muss", "müss"))) or low in _AUXILIARIES:
            last = self.clause_end(i + 1) - 1
            return last > i and (self._nonfinite_stance(last, i) or self._refusal(i, last))
        if low in _PASSIVE_AUX:
            last = self.clause_end(i + 1) - 1
            return last > i and self.low(last) in _PASSIVE_ACTOR_PARTICIPLES
        if low in _COPULAS:
            k = i + 1
            while (
                self.low(k) in ("strikt", "klar", "entschieden", "grundsätzlich", "nicht")
                and k - i < 3
            ):
                k += 1
            if "bereit" in {t.low for t in self.tokens[k : self.clause_end(k)]}:
                return True  # „war zu einer Stellungnahme nicht bereit“
            last = self.low(self.clause_end(k) - 1)
            if re.fullmatch(r"[a-zäöü]*ge[a-zäöüß]+(?:t|en)", last):
                return False  # „ist für den 14. März angesetzt“
            return self.low(k) in ("gegen", "dagegen", "dafür", "für")
        return False

    def _nonfinite_stance(self, last: int, verb: int) -> bool:
        nonfinite = _verbs().nonfinite
        before_and = [k - 1 for k in range(verb + 2, last) if self.low(k) in ("und", "oder")]
        return any(
            k > verb
            and self.low(k) in nonfinite
            and self.requirement_met(k, nonfinite[self.low(k)])
            for k in (last, last - 1, *before_and)
        )

    def _refusal(self, verb: int, last: int) -> bool:
        """„wollte sich nicht äußern“, „mochte keine Empfehlung abgeben“: a withheld position."""
        if self.low(verb) not in _WANT:
            return False
        words = {t.low for t in self.tokens[verb + 1 : last + 1]}
        infinitive = self.tokens[last]
        return bool(words & _NEGATIONS) and not infinitive.cap and infinitive.low.endswith("n")

    def final_stance_verb(self, i: int, finite_only: bool = False) -> int:
        """End of a verb-final clause from i whose verb is a stance verb, else -1."""
        end = self.clause_end(i)
        verbs = _verbs()
        for k in range(end - 1, max(i, end - 3) - 1, -1):
            low = self.low(k)
            readings = verbs.final.get(low) or (None if finite_only else verbs.nonfinite.get(low))
            if readings and self.requirement_met(k, readings):
                return end
            if low not in _AUXILIARIES and low not in _MODALS and low not in _PASSIVE_AUX:
                break
        return -1


class _Gazetteer:
    """Institution and place names, matched token by token (case-insensitive)."""

    def __init__(self, names: Iterable[str]):
        self.names: set[str] = set()
        self.first: dict[str, list[tuple[str, ...]]] = {}
        for name in names:
            words = tuple(t.low for t in _tokenise(name.strip()))
            if not words:
                continue
            self.names.add(" ".join(words))
            self.first.setdefault(words[0], []).append(words)
        for options in self.first.values():
            options.sort(key=len, reverse=True)

    def match(self, tokens: list[_Token], i: int) -> int:
        """End of the longest multi-word name starting at i, else 0."""
        for words in self.first.get(tokens[i].low, ()):
            end = i + len(words)
            if (
                len(words) > 1
                and end <= len(tokens)
                and all(tokens[i + k].low == w for k, w in enumerate(words))
            ):
                return end
        return 0

    def known(self, name: str) -> bool:
        return name in self.names


# ---------------------------------------------------------------------------------------------
# Writing an actor: nominative, no article
# ---------------------------------------------------------------------------------------------

_ADJ_ENDING_RE = re.compile(r"(?:en|er|es|em|e)$")


def _gender(word: str) -> str:
    """Grammatical gender guessed from a noun's ending: "m", "f" or "n"."""
    if _NEUTER_RE.search(word):
        return "n"
    if _FEMININE_RE.search(word) and not word.endswith(("ein", "stein", "rin")):
        return "f"
    if word.endswith("rin") or (word.endswith("in") and len(word) > 5 and not word.endswith("ein")):
        return "f"
    return "m"


def _gender_of(det: str | None, oblique: bool, head: str, plural: bool) -> str:
    """Gender ("m", "f", "n") or plural ("p") of a phrase, from its determiner and head noun."""
    gender = _gender(_noun_nominative(head, det, "m"))
    if det in (None, "ein", "kein", "ihr", "sein", "unser"):
        return "p" if plural and det is None else gender
    if det in ("der", "dieser", "jener", "jeder", "ihrer", "seiner", "einer", "keiner"):
        if oblique or det in ("ihrer", "seiner", "einer", "keiner"):
            return "p" if plural else "f"
        return "m"
    if det in ("die", "diese", "ihre", "seine", "eine", "keine", "unsere", "beide", "alle"):
        return "p" if plural else "f"
    if det in ("das", "dieses"):
        return "n"
    if det in ("den", "denen", "diesen", "ihren", "seinen", "einen", "keinen", "beiden"):
        return "p" if plural or oblique else "m"
    return gender if gender != "f" else "m"  # des, dem, eines, einem, …


_STRONG_ENDING = {"m": "er", "f": "e", "n": "es", "p": "e"}


def _adjective_nominative(word: str, gender: str) -> str:
    stem = _ADJ_ENDING_RE.sub("", word)
    return stem + _STRONG_ENDING[gender]


def _noun_nominative(word: str, det: str | None, gender: str) -> str:
    """Undo a genitive -s/-es (after „des“) or a dative plural -n („aus Regierungskreisen“)."""
    if det is None and word.endswith("kreisen"):
        return word[:-1]
    genitive = det in ("des", "eines", "keines", "ihres", "seines", "unseres")
    if genitive and gender in ("m", "n") and len(word) > 4 and word.endswith("s"):
        if word.endswith("es") and re.search(r"[^aeiouäöü][bdgkt]es$|(?:tag|rat|bund)es$", word):
            return word[:-2]
        if not word.endswith(("us", "is", "as", "os", "es")) and not word.isupper():
            return word[:-1]
    return word


# ---------------------------------------------------------------------------------------------
# The detector
# ---------------------------------------------------------------------------------------------


def _config_file() -> Path:
    from haltung.config import config_dir

    return config_dir() / "analyze" / "default.yaml"


@lru_cache(maxsize=1)
def _analysis_config() -> tuple[tuple[str, ...], int, str | None]:
    """The gazetteer, max_actors and spacy_model of conf/analyze/default.yaml."""
    import yaml

    path = _config_file()
    if not path.is_file():
        return (), MAX_ACTORS, None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = tuple(str(name) for name in data.get("gazetteer") or ())
    return names, int(data.get("max_actors") or MAX_ACTORS), data.get("spacy_model")


@dataclass(slots=True)
class _Speaker:
    """An actor seen earlier in the document: its mentions and grammatical features."""

    mentions: list[str] = field(default_factory=list)
    gender: str | None = None
    person: bool = False

    @property
    def fullest(self) -> str:
        return max(self.mentions, key=len)


class ActorDetector:
    """Finds the actors of the sentences of a German news document, without model weights.

    The gazetteer of conf/analyze/default.yaml (institutions, parties, countries, capitals,
    companies) is always used; `gazetteer` adds names. With `spacy_model` (default: the file's
    `spacy_model`), the PER/ORG/LOC entities of that spaCy pipeline are kept together as names;
    it must be installed, or ConfigError is raised.
    """

    def __init__(self, gazetteer: Iterable[str] = (), spacy_model: str | None = None):
        names, self.max_actors, configured_model = _analysis_config()
        spacy_model = spacy_model or configured_model
        self.gazetteer = _Gazetteer([*names, *gazetteer])
        self.nlp = _load_spacy(spacy_model) if spacy_model else None

    def detect(self, sentences: Sequence[str]) -> list[list[str]]:
        """For the sentences of ONE document, in order: the actors of each sentence as written
        in the text (possibly []), at most a few per sentence, most salient first."""
        analyses = [self._analyse(text) for text in sentences]
        return _Resolver(analyses).resolve()

    # -- one sentence --------------------------------------------------------------------------

    def _analyse(self, text: str) -> _Analysis:
        sentence = _Sentence(text, self.gazetteer, self._entities(text))
        quotes = _quote_state(sentence)
        analysis = _Analysis([], **quotes)
        if _is_heading(text):
            analysis.heading = True
            return analysis
        found: list[_Candidate] = []
        for finder in _FINDERS:
            found.extend(finder(sentence))
        pronouns = [c for c in found if c.pronoun]
        if pronouns:
            found = [c for c in found if c.rank < _RANK_FALLBACK]
        analysis.actors = _select(found, self.max_actors)
        if pronouns and not analysis.actors:
            analysis.pronoun = pronouns[0].pronoun
            local = _local_antecedent(sentence, pronouns[0])
            analysis.actors = [local] if local else []
        analysis.attribution_only = _attribution_only(sentence)
        analysis.reported = _reported(sentence)
        analysis.there = _says_there(sentence)
        analysis.sentence = sentence
        return analysis

    def _entities(self, text: str) -> dict[int, int]:
        """Token spans of spaCy PER/ORG/LOC entities (empty without a spaCy model)."""
        if self.nlp is None:
            return {}
        tokens = _tokenise(text)
        starts = {t.start: i for i, t in enumerate(tokens)}
        ends = {t.end: i + 1 for i, t in enumerate(tokens)}
        spans = {}
        for ent in self.nlp(text).ents:
            kept = ent.label_ in ("PER", "PERSON", "ORG", "LOC", "GPE")
            if kept and ent.start_char in starts and ent.end_char in ends:
                spans[starts[ent.start_char]] = ends[ent.end_char]
        return spans


def _load_spacy(model: str):
    """Load a spaCy pipeline, or say clearly why it cannot be used."""
    try:
        import spacy
    except ImportError as err:
        raise ConfigError(
            f"spacy_model={model!r} needs spaCy, which is not installed. Install spaCy and the "
            f"pipeline (`pip install spacy` and `python -m spacy download {model}`), or set "
            "spacy_model: null to detect actors by rules alone."
        ) from err
    try:
        return spacy.load(model, disable=["parser", "lemmatizer", "tagger"])
    except OSError as err:
        raise ConfigError(
            f"The spaCy pipeline {model!r} is not installed: `python -m spacy download {model}`, "
            "or set spacy_model: null to detect actors by rules alone."
        ) from err


# ---------------------------------------------------------------------------------------------
# Finders: each yields candidates from one kind of cue
# ---------------------------------------------------------------------------------------------

_RANK_ATTRIBUTION, _RANK_SUBJECT, _RANK_SOURCE, _RANK_CLAUSE, _RANK_OTHER, _RANK_FALLBACK = range(6)


def _written(sentence: _Sentence, phrase: _Phrase) -> str:
    """The phrase as the guidelines write an actor: no article, nominative."""
    tokens, text = sentence.tokens, sentence.text
    replacements = _nominative_forms(sentence, phrase)
    pieces, cursor = [], tokens[phrase.head_start].start
    for k in range(phrase.head_start, phrase.tail_end):
        if k in replacements:
            pieces.append(text[cursor : tokens[k].start])
            pieces.append(replacements[k])
            cursor = tokens[k].end
    pieces.append(text[cursor : tokens[phrase.tail_end - 1].end])
    result = "".join(pieces)
    if phrase.apposition is not None:
        result = f"{result}, {_written(sentence, phrase.apposition)}"
    return _SPACE_RE.sub(" ", result).strip()


def _nominative_forms(sentence: _Sentence, phrase: _Phrase) -> dict[int, str]:
    """Replacement words that put the core in the nominative without an article:
    adjectives take the strong ending („das chinesische Außenministerium“ → „chinesisches
    Außenministerium“), the head noun loses a genitive -s („des Bundesamts“ → „Bundesamt“)."""
    if phrase.det is None and not phrase.oblique:
        return {}
    tokens = sentence.tokens
    end = phrase.head_end
    for k in range(phrase.head_start + 1, phrase.head_end):
        if tokens[k].low in _ARTICLES or tokens[k].text in _QUOTES:
            end = k  # „Bund der Steuerzahler“, „Initiative „Zittau zusammen““: leave the rest
            break
    noun = phrase.head_start
    while noun < end - 1 and _is_prenominal(sentence, noun):
        noun += 1
    head = _head_noun(sentence, phrase.head_start, end, noun)
    gender = _gender_of(phrase.det, phrase.oblique, tokens[head].low, _plural(sentence, phrase))
    replacements = {
        k: _adjective_nominative(tokens[k].text, gender) for k in range(phrase.head_start, noun)
    }
    for k in range(noun, end):
        if tokens[k].cap and _NOMINALISED_RE.search(tokens[k].low):
            replacements[k] = _adjective_nominative(tokens[k].text, gender)
    if head not in replacements and (
        head != noun or not sentence.is_person(phrase) or (_ROLE_RE.search(tokens[head].low))
    ):
        replacements[head] = _noun_nominative(tokens[head].text, phrase.det, gender)
    return replacements


def _is_prenominal(sentence: _Sentence, k: int) -> bool:
    """An adjective before the noun: lower case, or a capitalised one („Deutsche Bundesbank“)."""
    token = sentence.tokens[k]
    if not token.cap:
        return sentence.is_adjective(k)
    return bool(_CAP_ADJECTIVE_RE.match(token.text)) and not (
        _ROLE_RE.search(token.low) or _ORG_RE.search(token.low)
    )


def _head_noun(sentence: _Sentence, start: int, end: int, noun: int) -> int:
    """The role or institution noun of the core („Branchenverbands Silicon Saxony“), else the
    first noun."""
    for k in range(noun, end):
        low = sentence.tokens[k].low
        if _ROLE_RE.search(low) or _ORG_RE.search(_noun_nominative(low, "des", "m")):
            return k
    return noun


def _plural(sentence: _Sentence, phrase: _Phrase) -> bool:
    """„die Vereinten Nationen“, „die Grünen“: a plural after a determiner."""
    core = sentence.tokens[phrase.head_start : phrase.head_end]
    if phrase.det is None:
        return phrase.oblique
    if phrase.det not in ("die", "der", "den", "ihre", "seine", "diese", "alle", "beide"):
        return False
    if any(t.low.endswith("en") for t in core[:-1]):
        return True
    last = core[-1].low
    return bool(_NOMINALISED_RE.search(last)) and last.endswith("en")


def _candidate(sentence: _Sentence, phrase: _Phrase, rank: int) -> _Candidate | None:
    if sentence.is_media(phrase) or sentence.is_inanimate(phrase):
        return None
    text = _written(sentence, phrase)
    if not text or normalise_actor(text) in _FUNCTION_WORDS:
        return None
    head = sentence.head_word(phrase)
    gender = _phrase_gender(sentence, phrase, head)
    return _Candidate(text, rank, phrase.start, gender, sentence.is_person(phrase))


def _phrase_gender(sentence: _Sentence, phrase: _Phrase, head: str) -> str | None:
    nouns = [w for w in sentence.core_words(phrase) if _ORG_RE.search(w) or _ROLE_RE.search(w)]
    if nouns and not _ROLE_RE.search(nouns[-1]):
        head = nouns[-1]
    if phrase.det in ("der",) and not phrase.oblique:
        return "m"
    if phrase.det in ("das",):
        return "n"
    if phrase.det in ("die",) and head.endswith(("en", "e")) and not head.endswith("in"):
        words = sentence.tokens[phrase.head_start : phrase.head_end]
        if any(t.low.endswith("en") for t in words) and not _FEMININE_RE.search(head):
            return "p"
    words = sentence.tokens[phrase.head_start : phrase.head_end]
    roles = [w.low for w in words if _ROLE_RE.search(w.low)]
    if roles:
        if roles[-1].endswith(("in", "innen")):
            return "f"
        return None if roles[-1].endswith(("mitglied", "vize", "chef")) else "m"
    if sentence.is_name_phrase(phrase):
        return None
    return _gender(head)


def _subject_phrases(sentence: _Sentence, phrase: _Phrase, rank: int) -> Iterator[_Candidate]:
    for part in sentence.coordinated(phrase):
        found = _candidate(sentence, part, rank)
        if found:
            yield found


def _clause_starts(sentence: _Sentence) -> Iterator[tuple[int, bool]]:
    """Token indices where a main clause may begin, and whether a conjunction precedes."""
    yield sentence.first, False
    for i in range(sentence.first, sentence.n):
        text = sentence.tokens[i].text
        if text in (";", ":", "–", "—", ","):
            yield i + 1, False
        elif sentence.low(i) in ("und", "aber", "sondern", "doch", "denn") and not (
            sentence.tokens[i - 1].text.endswith("-")  # „Nord- und Süd-Kivu“
        ):
            yield i + 1, True


def _skip_inserts(sentence: _Sentence, j: int) -> int:
    """Skip a parenthesis, a relative clause, an apposition, „wie …“/„als …“ or a focus adverb
    between a subject and its verb."""
    for _ in range(4):
        low = sentence.low(j)
        if low in _SUBJECT_ADVERBS:
            j += 1
            continue
        if low in ("wie", "als") and not sentence.stance_verb(j + 1):
            inner = sentence.phrase(j + 1, oblique=True)
            if inner is not None:
                j = sentence.coordinated(inner)[-1].end
                continue
        if sentence.low(j) == "(":
            k = j + 1
            while k < sentence.n and k - j < 12 and sentence.low(k) != ")":
                k += 1
            if sentence.low(k) == ")":
                j = k + 1
                continue
        if sentence.low(j) == "," and sentence.stance_verb(j + 1):
            return j + 1  # the comma closing an apposition
        if sentence.low(j) == ",":
            end = _insert_end(sentence, j + 1)
            if end:
                j = end
                continue
        break
    return j


def _insert_end(sentence: _Sentence, j: int) -> int:
    """After a relative clause or apposition from j: the verb following its closing comma."""
    for k in range(j, min(sentence.n, j + 35)):
        text = sentence.tokens[k].text
        if text in (";", ":", ".", "!", "?"):
            return 0
        if text == "," and sentence.stance_verb(k + 1):
            return k + 1
    return 0


def _find_subjects(sentence: _Sentence) -> Iterator[_Candidate]:
    """Pre-verbal subjects: „Die Gewerkschaft lehnt die Pläne ab“, „Er warnte …“."""
    for start, conjunction in _clause_starts(sentence):
        j = start
        while sentence.low(j) in _FOCUS_WORDS and j < sentence.n:
            j += 1
        if sentence.low(j) in _PRONOUNS:
            if _pronoun_subject(sentence, start, j):
                sentence.subject_verbs.add(j + 1)
                yield _Candidate("", _RANK_SUBJECT, j, pronoun=_PRONOUNS[sentence.low(j)])
            continue
        phrase = sentence.phrase(j)
        if phrase is None or not _nominative(sentence, phrase):
            continue
        phrase = _with_attribute(sentence, phrase)
        end = sentence.coordinated(phrase)[-1].end
        verb = end if conjunction else _skip_inserts(sentence, end)
        if sentence.low(verb) in _KONJUNKTIV or not _agrees(sentence, phrase, verb):
            continue
        if verb in sentence.subject_verbs:
            continue  # an apposition: „Die Domowina, der Dachverband der Sorben, setzt …“
        if sentence.stance_verb(verb) and not _fronted_object(sentence, phrase, verb):
            sentence.subject_verbs.add(verb)
            yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)


def _nominative(sentence: _Sentence, phrase: _Phrase) -> bool:
    """The phrase can be a subject: no oblique determiner („dem“, „des“, „der internationalen“)."""
    if phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
        return False
    if phrase.det == "der" and phrase.head_start < phrase.head_end:
        first = sentence.tokens[phrase.head_start]
        return not (
            first.low.endswith("en")
            and (
                sentence.is_adjective(phrase.head_start)
                or (
                    first.cap
                    and _CAP_ADJECTIVE_RE.match(first.text)
                    and phrase.head_end - phrase.head_start > 1
                )
            )
        )
    return True


def _agrees(sentence: _Sentence, phrase: _Phrase, verb: int) -> bool:
    """Reject a singular subject with a plural verb („… und Weltbank haben …“)."""
    plural_verb = sentence.low(verb) in _verbs().plural
    if not plural_verb or len(sentence.coordinated(phrase)) > 1:
        return True
    if phrase.det in ("der", "das", "ein", "eine", "kein", "ihr", "sein"):
        return False
    head = sentence.head_word(phrase)
    return not (phrase.det is None and _ORG_RE.search(head) and not head.endswith(("en", "e", "s")))


def _with_attribute(sentence: _Sentence, phrase: _Phrase) -> _Phrase:
    """„Hilfsorganisationen in den Lagern befürchten …“: a prepositional phrase between a
    subject and its finite verb belongs to the subject."""
    if phrase.apposition is not None or sentence.low(phrase.end) not in _ATTRIBUTE_PREPOSITIONS:
        return phrase
    inner = sentence.phrase(phrase.end + 1, oblique=True, attributes=False)
    if inner is None or inner.end - phrase.start > _MAX_NP:
        return phrase
    verb = inner.end
    token = sentence.tokens[verb] if verb < sentence.n else None
    if token is None or token.cap or not token.word or token.low in _FUNCTION_WORDS:
        return phrase
    if not (sentence.stance_verb(verb) or token.low in _verbs().finite):
        return phrase
    extended = _Phrase(phrase.start, inner.end, phrase.det, phrase.head_start, phrase.head_end)
    extended.oblique, extended.tail_end = phrase.oblique, inner.end
    return extended


def _pronoun_subject(sentence: _Sentence, start: int, j: int) -> bool:
    """„Er warnte …“, „Sie sei …“; at the start of a sentence any verb will do."""
    if sentence.stance_verb(j + 1) or _is_konjunktiv(sentence, j + 1):
        return True
    nxt = sentence.tokens[j + 1] if j + 1 < sentence.n else None
    if nxt is None or not nxt.word or nxt.cap or nxt.low in _PLAIN_VERBS:
        return False
    return start == sentence.first


def _fronted_object(sentence: _Sentence, phrase: _Phrase, verb: int) -> bool:
    """„Konkrete Zusagen machte sie …“, „Berichte … wollte er …“: the phrase is an object."""
    after = _midfield_end(sentence, verb + 1)
    if sentence.low(after) == "er":
        return True
    single = phrase.det is None and phrase.head_end - phrase.head_start == 1
    adverb = single and _ADVERB_RE.search(sentence.low(phrase.head_start))
    if adverb and sentence.low(after) in ("der", "die", "das", "ein", "eine"):
        return True  # „Skeptischer äußerte sich die Organisation …“
    if phrase.det in (None, "die", "das") and sentence.low(after) in ("der", "sie"):
        first = sentence.low(phrase.head_start)
        return phrase.det is None and bool(re.search(r"[a-zäöüß](?:e|en)$", first))
    return False


def _find_inverted(sentence: _Sentence) -> Iterator[_Candidate]:
    """Subjects after the verb: „…, sagte Rutte“, „Das erklärte …“, „Zu Details gab sich …“."""
    verbs = _verbs()
    for i in range(sentence.first + 1, sentence.n):
        low = sentence.low(i)
        if not (
            low in verbs.finite or low in _MODALS or low in _AUXILIARIES or low in _PASSIVE_AUX
        ):
            continue
        order = _fronted(sentence, i)
        if i in sentence.subject_verbs or not sentence.stance_verb(i):
            continue
        if sentence.low(i - 1) in ("und", ",", "aber", "sondern") and order != "clause":
            yield from _shared_subject(sentence, i)
            continue
        j = _midfield_end(sentence, i + 1)
        pronoun = sentence.low(j)
        if order == "subject" and pronoun != "er":
            continue
        if pronoun in _PRONOUNS:
            if order != "ambiguous" or pronoun == "er" or sentence.low(i + 1) == "sie":
                yield _Candidate("", _RANK_ATTRIBUTION, j, pronoun=_PRONOUNS[pronoun])
            continue
        phrase = sentence.phrase(j)
        if phrase is None or not _post_verbal_subject(sentence, phrase, order):
            continue
        if sentence.tokens[i].text in _KONJUNKTIV:
            continue  # „Einem Beitritt könne Budapest nicht zustimmen“: reported content
        rank = _RANK_ATTRIBUTION if order == "clause" else _RANK_SUBJECT
        yield from _subject_phrases(sentence, phrase, rank)


def _shared_subject(sentence: _Sentence, i: int) -> Iterator[_Candidate]:
    """„… lehnte sich Brandt zurück und sagte nur …“: the subject of the first predicate."""
    start = i - 1
    while start > sentence.first and sentence.tokens[start - 1].text not in (";", ":", "."):
        start -= 1
    phrase = sentence.phrase(start)
    if (
        phrase is not None
        and _nominative(sentence, phrase)
        and sentence.low(start) not in (_FUNCTION_WORDS - _DETERMINERS)
    ):
        verb = _skip_inserts(sentence, sentence.coordinated(phrase)[-1].end)
        if verb < i and not sentence.tokens[verb].cap:
            yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)
        return
    finite = _verbs().finite
    for k in range(start + 1, i - 1):
        low = sentence.low(k)
        if low in finite or low in _AUXILIARIES or low in _MODALS:
            after = sentence.phrase(_midfield_end(sentence, k + 1))
            if after is not None and _post_verbal_subject(sentence, after, "other"):
                yield from _subject_phrases(sentence, after, _RANK_SUBJECT)
            return


def _midfield_end(sentence: _Sentence, j: int) -> int:
    """Skip reflexives, adverbs and „am Montag“ between a verb and its subject."""
    start = j
    while j - start < 5:
        low = sentence.low(j)
        if low == "am" and sentence.tokens[j + 1 : j + 2] and sentence.tokens[j + 1].cap:
            j += 2
        elif low in _MIDFIELD and not (low in ("das", "dies") and sentence.phrase(j)):
            j += 1
        else:
            break
    return j


def _fronted(sentence: _Sentence, i: int) -> str:
    """What stands before the finite verb at i: "clause" (a quote, a reported clause), "other"
    (a preposition, adverb or object), "subject" or "ambiguous" (a bare noun phrase)."""
    prev = sentence.tokens[i - 1]
    if prev.text in (",", "“", "”", "«", ";", ":"):
        return "subject" if _coordinated_predicate(sentence, i) else "clause"
    start = sentence.clause_start(i)
    first = sentence.low(start)
    if start == i - 1 and first in ("das", "dies", "so", "damit", "dazu", "darauf"):
        return "other"
    if first in _PRONOUNS or first in ("es", "man", "wir", "ich"):
        return "subject"
    if first in _DETERMINERS:
        oblique = first in ("dem", "den", "des", "einem", "einen", "eines")
        fronted = sentence.phrase(start)
        inanimate = fronted is not None and sentence.is_inanimate(fronted)
        return "other" if oblique or inanimate else "subject"
    if first in _FUNCTION_WORDS or (start == i - 1 and _ADVERB_RE.search(first)):
        return "other"
    bare_plural = re.search(r"[a-zäöüß](?:e|en)$", first) and sentence.tokens[start].cap
    if bare_plural and not sentence.gazetteer.known(first) and not _ROLE_RE.search(first):
        return "ambiguous"  # „Konkrete Zusagen machte sie …“
    return "subject"


def _coordinated_predicate(sentence: _Sentence, i: int) -> bool:
    """„…, mahnte aber …“: the verb after a comma continues a clause with its own subject."""
    if sentence.tokens[i - 1].text != ",":
        return False
    start = sentence.clause_start(i - 1)
    words = sentence.tokens[start : i - 1]
    if any(t.text in _QUOTES or t.low in _KONJUNKTIV for t in words):
        return False
    first = words[0].low if words else ""
    if first in _FUNCTION_WORDS and first not in _NOMINATIVE_DETERMINERS:
        return False  # „Ohne diese Daten blieben …, sagte Stahl“; „ob …, …“
    finite = _verbs().finite
    return any(t.low in finite and not t.cap for t in words[1:])


def _post_verbal_subject(sentence: _Sentence, phrase: _Phrase, order: str) -> bool:
    """A phrase after the verb that can be its subject (nominative, not a bare plural)."""
    if phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
        return False
    if phrase.det is None and sentence.is_adjective(phrase.head_start):
        return False
    if order == "ambiguous":
        named = phrase.det is None and sentence.tokens[phrase.head_start].cap
        return (
            named
            or phrase.det in ("der", "ein", "kein", "ihr", "sein")
            or sentence.is_common(phrase)
        )
    return True


def _find_subordinate(sentence: _Sentence) -> Iterator[_Candidate]:
    """Subjects of verb-final clauses: „während China sich weigerte“, „wie ein Sprecher sagte“."""
    for i in range(sentence.first, sentence.n):
        low = sentence.low(i)
        if low not in _SUBORDINATORS and not (
            low in ("dem", "den", "denen", "dessen", "deren") and sentence.low(i - 1) == ","
        ):
            continue
        phrase = sentence.phrase(i + 1)
        if phrase is None or phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
            continue
        if low in _RELATIVES and phrase.det is None and not sentence.is_name_word(i + 1):
            continue
        if sentence.final_stance_verb(phrase.end, finite_only=low == "wie") >= 0:
            yield from _subject_phrases(sentence, phrase, _RANK_CLAUSE)


def _find_sources(sentence: _Sentence) -> Iterator[_Candidate]:
    """„laut X“, „nach Angaben des X“, „X zufolge“, „…, so X“, „aus Sicht des X“."""
    for i in range(sentence.first, sentence.n):
        low = sentence.low(i)
        if low in ("laut", "gemäß"):
            yield from _source_after(sentence, i + 1)
        elif low in ("nach", "aus") or (low == "einem" and sentence.low(i - 1) != "mit"):
            yield from _source_noun(sentence, i + 1)
        elif low == "zufolge":
            yield from _source_before(sentence, i)
        elif low == "so" and sentence.low(i - 1) == "," and sentence.tokens[i].text == "so":
            phrase = sentence.phrase(i + 1)
            if phrase and sentence.boundary(phrase.end):
                yield from _subject_phrases(sentence, phrase, _RANK_ATTRIBUTION)
        elif low.endswith("angaben") and len(low) > 9 and sentence.low(i - 1) in ("nach", "laut"):
            yield _Candidate(_compound_source(sentence.tokens[i].text), _RANK_SOURCE, i)


def _compound_source(word: str) -> str:
    """„DAAD-Angaben“ → „DAAD“, „Polizeiangaben“ → „Polizei“, „Regierungsangaben“ → „Regierung“."""
    name = word[: -len("angaben")].rstrip("-")
    if name.endswith("s") and re.search(r"(?:ung|ium|heit|keit|schaft|tät|ion|amt)s$", name):
        name = name[:-1]
    return name


def _source_after(sentence: _Sentence, j: int) -> Iterator[_Candidate]:
    if sentence.low(j) in _SOURCE_NOUNS:
        yield from _source_noun(sentence, j)
        return
    phrase = sentence.phrase(j, oblique=True)
    if phrase:
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


def _source_noun(sentence: _Sentence, j: int) -> Iterator[_Candidate]:
    """After „nach“/„aus“: [einer] Angaben/Ansicht/Umfrage … des X / von X / aus X."""
    if sentence.low(j) in ("einer", "einem", "eigenen", "übereinstimmenden", "ersten", "den"):
        j += 1
    while sentence.is_adjective(j) and not sentence.tokens[j].cap:
        j += 1
    if sentence.low(j) not in _SOURCE_NOUNS:
        return
    j += 1
    low = sentence.low(j)
    if low in ("des", "der", "eines", "einer", "seines", "ihres"):
        phrase = sentence.phrase(j, oblique=True)
    elif low in ("von", "aus", "vom", "mehrerer", "mehrere"):
        k = j + 1
        if sentence.low(k) in ("mehreren", "mehrerer", "einigen", "zwei", "drei"):
            k += 1
        phrase = sentence.phrase(k, oblique=low != "mehrere")
    else:
        return
    if phrase:
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


def _source_before(sentence: _Sentence, i: int) -> Iterator[_Candidate]:
    """The dative phrase that ends right before „zufolge“."""
    for start in range(i - 1, max(sentence.first, i - 10) - 1, -1):
        phrase = sentence.phrase(start, oblique=True)
        if phrase and phrase.end == i and phrase.det in (None, "dem", "der", "den", "einem"):
            head = sentence.head_word(phrase)
            if head in _DOCUMENT_NOUNS or _INANIMATE_RE.search(head):
                continue
            yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)
            return
        if sentence.boundary(start):
            return


def _find_hiess_es(sentence: _Sentence) -> Iterator[_Candidate]:
    """„hieß es aus dem Ministerium“, „Im Kreml hieß es“, „heißt es in einem Papier des X“."""
    for i in range(sentence.first, sentence.n - 1):
        if sentence.low(i) not in ("hieß", "heißt") or sentence.low(i + 1) != "es":
            continue
        j = i + 2
        for _ in range(4):
            low = sentence.low(j)
            if low in (
                "weiter",
                "lediglich",
                "nur",
                "dazu",
                "zudem",
                "auf",
                "anfrage",
                "nachfrage",
            ):
                j += 1
                continue
            if low in ("in", "aus", "im", "bei", "beim", "von", "vom", "seitens"):
                found = list(_place_source(sentence, j))
                if found:
                    yield from found
                    return
                j = _skip_phrase(sentence, j + 1)
                continue
            break
        if i - 1 >= sentence.first:
            yield from _fronted_source(sentence, i)


def _place_source(sentence: _Sentence, j: int) -> Iterator[_Candidate]:
    low = sentence.low(j)
    oblique = low not in ("im", "beim", "vom")
    phrase = sentence.phrase(j + 1, oblique=True) if oblique else _contracted(sentence, j + 1)
    if phrase is None:
        return
    head = sentence.head_word(phrase)
    if head in _DOCUMENT_NOUNS or _INANIMATE_RE.search(head):
        genitive = phrase.head_end
        if sentence.low(genitive) in ("des", "der"):
            inner = sentence.phrase(genitive, oblique=True)
            if inner:
                yield from _subject_phrases(sentence, inner, _RANK_SOURCE)
        return
    if sentence.is_name_word(phrase.head_start) and not (
        phrase.det is None and low == "in" and not sentence.gazetteer.known(head)
    ):
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


def _contracted(sentence: _Sentence, j: int) -> _Phrase | None:
    """A phrase after „im“/„beim“/„vom“: dative masculine or neuter."""
    phrase = sentence.phrase(j, oblique=True)
    if phrase is not None and phrase.det is None:
        return replace(phrase, det="dem")
    return phrase


def _skip_phrase(sentence: _Sentence, j: int) -> int:
    phrase = sentence.phrase(j)
    return phrase.end if phrase else j


def _fronted_source(sentence: _Sentence, i: int) -> Iterator[_Candidate]:
    """„Im Bundesfinanzministerium hieß es …“, „Aus der Partei hieß es …“."""
    start = i - 1
    while start > sentence.first and not sentence.boundary(start - 1) and i - start < 10:
        start -= 1
    if sentence.low(start) in ("in", "aus", "im", "bei", "beim", "von", "vom"):
        yield from _place_source(sentence, start)


def _find_reactions(sentence: _Sentence) -> Iterator[_Candidate]:
    """„Kritik kam von der Opposition“, „stößt beim Verband auf Ablehnung“, votes, passives."""
    for i in range(sentence.first, sentence.n):
        low = sentence.low(i)
        if low == "stimmen" and sentence.low(i + 1) in ("von", "der", "des"):
            j = i + 2 if sentence.low(i + 1) == "von" else i + 1
            phrase = sentence.phrase(j, oblique=True)
            if phrase:
                yield from _subject_phrases(sentence, phrase, _RANK_OTHER)
        elif low in ("von", "vom") and sentence.low(i - 1) not in ("nach", "angaben"):
            yield from _passive_agent(sentence, i)
    for start, end in _clauses(sentence):
        words = {t.low for t in sentence.tokens[start:end]}
        if not words & _REACTION_NOUNS:
            continue
        if words & _RECEIVE_VERBS:
            yield from _sources_in(sentence, start, end, ("von", "vom", "aus"))
            yield from _reaction_genitive(sentence, start, end)
        if words & _MEET_VERBS:
            yield from _sources_in(sentence, start, end, ("bei", "beim"))


def _clauses(sentence: _Sentence) -> Iterator[tuple[int, int]]:
    """(start, end) of the stretches between boundary tokens."""
    start = sentence.first
    for i in range(sentence.first, sentence.n + 1):
        if i == sentence.n or sentence.tokens[i].text in _BOUNDARIES:
            if i > start:
                yield start, i
            start = i + 1


def _sources_in(
    sentence: _Sentence, start: int, end: int, prepositions: tuple[str, ...]
) -> Iterator[_Candidate]:
    for k in range(start, end):
        low = sentence.low(k)
        if low not in prepositions:
            continue
        contracted = low in ("vom", "beim")
        phrase = (
            _contracted(sentence, k + 1) if contracted else sentence.phrase(k + 1, oblique=True)
        )
        if phrase and phrase.end <= end:
            yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)
            return


def _reaction_genitive(sentence: _Sentence, start: int, end: int) -> Iterator[_Candidate]:
    """„Eine Stellungnahme des Finanzministeriums gab es nicht.“"""
    for k in range(start, end - 1):
        if sentence.low(k) in _REACTION_NOUNS and sentence.low(k + 1) in ("des", "der"):
            phrase = sentence.phrase(k + 1, oblique=True)
            if phrase and (sentence.is_common(phrase) or sentence.is_person(phrase)):
                yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)
                return


def _passive_agent(sentence: _Sentence, i: int) -> Iterator[_Candidate]:
    """„… wird von Moskau und Peking nicht anerkannt“: the agent of a stance participle."""
    phrase = (
        sentence.phrase(i + 1, oblique=True)
        if sentence.low(i) == "von"
        else _contracted(sentence, i + 1)
    )
    if phrase is None:
        return
    end = sentence.clause_end(phrase.end)
    nonfinite = _verbs().nonfinite
    participles = [k for k in range(phrase.end, end) if sentence.low(k) in nonfinite]
    passive = any(sentence.low(k) in _PASSIVE_AUX for k in range(max(0, i - 8), end))
    if participles and passive:
        yield from _subject_phrases(sentence, phrase, _RANK_OTHER)


def _find_own_account(sentence: _Sentence) -> Iterator[_Candidate]:
    """„Lufthansa strich nach eigenen Angaben …“: the subject reports, whatever its verb."""
    for i in range(sentence.first, sentence.n - 1):
        if sentence.low(i) == "eigenen" and sentence.low(i + 1) in _SOURCE_NOUNS:
            break
    else:
        return
    start = sentence.first
    phrase = sentence.phrase(start)
    if phrase is not None and _nominative(sentence, phrase) and sentence.is_name_word(start):
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)
        return
    for k in range(start + 1, min(sentence.n, start + 12)):
        token = sentence.tokens[k]
        if token.word and not token.cap and token.low not in _FUNCTION_WORDS:
            after = sentence.phrase(_midfield_end(sentence, k + 1))
            if after is not None and _post_verbal_subject(sentence, after, "other"):
                yield from _subject_phrases(sentence, after, _RANK_SOURCE)
            return


def _find_opinion_holder(sentence: _Sentence) -> Iterator[_Candidate]:
    """„Für den Bund der Steuerzahler wäre das eine Belohnung …“."""
    j = sentence.first
    if sentence.low(j) != "für":
        return
    phrase = sentence.phrase(j + 1, oblique=True)
    if phrase is None or not (sentence.is_common(phrase) or sentence.is_person(phrase)):
        return
    if sentence.low(phrase.end) in ("ist", "sind", "wäre", "wären", "sei", "bleibt"):
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


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


def _find_any_verb_subject(sentence: _Sentence) -> Iterator[_Candidate]:
    """Fallback: an actor-like subject at the start of the sentence, whatever its verb."""
    j = sentence.first
    while sentence.low(j) in _FOCUS_WORDS and j < sentence.n:
        j += 1
    phrase = sentence.phrase(j)
    if phrase is None or phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
        return
    phrase = _with_attribute(sentence, phrase)
    verb = _skip_inserts(sentence, sentence.coordinated(phrase)[-1].end)
    if sentence.low(verb) == "," and phrase.apposition is not None:
        verb += 1  # „Der Präsident der Zentralbank, Pieter van Dam, stemmt sich …“
    if verb >= sentence.n or not sentence.tokens[phrase.head_start].cap:
        return
    token = sentence.tokens[verb]
    if token.cap or not token.word or token.low in _FUNCTION_WORDS or token.low in _DETERMINERS:
        return
    known = token.low in _MODALS or token.low in _PLAIN_VERBS or sentence.vetoed(verb)
    if known or token.text in _KONJUNKTIV or _fronted_object(sentence, phrase, verb):
        return
    if sentence.is_common(phrase) or sentence.is_person(phrase) or _is_place_name(sentence, phrase):
        yield from _subject_phrases(sentence, phrase, _RANK_FALLBACK)


def _is_place_name(sentence: _Sentence, phrase: _Phrase) -> bool:
    words = sentence.core_words(phrase)
    return sentence.gazetteer.known(" ".join(words))


_FINDERS = (
    _find_subjects,
    _find_inverted,
    _find_sources,
    _find_hiess_es,
    _find_subordinate,
    _find_reactions,
    _find_opinion_holder,
    _find_own_account,
    _find_any_verb_subject,
)


def _local_antecedent(sentence: _Sentence, pronoun: _Candidate) -> _Candidate | None:
    """„Deutlicher wurde die Gewerkschaft Verdi: Sie lehnte …“: an earlier phrase of the same
    sentence, before a colon or semicolon, that the pronoun can refer to."""
    cut = max(
        (k for k in range(sentence.first, pronoun.position) if sentence.low(k) in (":", ";")),
        default=-1,
    )
    for k in range(sentence.first, max(cut, sentence.first)):
        if sentence.low(k) not in _NOMINATIVE_DETERMINERS and k != sentence.first:
            continue
        phrase = sentence.phrase(k)
        if phrase is None or not (sentence.is_common(phrase) or sentence.is_person(phrase)):
            continue
        candidate = _candidate(sentence, phrase, _RANK_SUBJECT)
        if candidate and _compatible(candidate.gender, pronoun.pronoun):
            return candidate
    return None


def _compatible(gender: str | None, pronoun: str | None) -> bool:
    """Can „er“ ("m") or „sie“ ("f", also plural) refer to a phrase of this gender?"""
    if gender is None:
        return True
    return gender == "m" if pronoun == "m" else gender in ("f", "p")


def _select(found: list[_Candidate], limit: int) -> list[_Candidate]:
    """Best first, one per actor, at most `limit`."""
    named = sorted((c for c in found if c.text), key=lambda c: (c.rank, c.position))
    if named and named[0].rank < _RANK_FALLBACK:
        named = [c for c in named if c.rank < _RANK_FALLBACK]
    chosen: list[_Candidate] = []
    seen: set[str] = set()
    for candidate in named:
        key = normalise_actor(candidate.text)
        if not key or key in seen:
            continue
        if any(_contains(key, normalise_actor(c.text)) for c in chosen):
            continue
        seen.add(key)
        chosen.append(candidate)
    return chosen[:limit]


def _contains(a: str, b: str) -> bool:
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


# ---------------------------------------------------------------------------------------------
# Sentence-level signals for the document pass
# ---------------------------------------------------------------------------------------------

_HEADING_END_RE = re.compile(r"[.!?…][\"“”»«’‘)]*\s*$")


def _is_heading(text: str) -> bool:
    """No sentence-final punctuation: a heading, caption or boilerplate line."""
    return not _HEADING_END_RE.search(text[-20:])


def _quote_state(sentence: _Sentence) -> dict[str, bool]:
    """Where the sentence stands in a quotation: whether it closes one, ends inside one, or is
    nothing but one („…“ with only punctuation after it)."""
    inside, closes, closed_at, continues = False, False, None, None
    tokens = sentence.tokens[sentence.first :]
    for k, token in enumerate(tokens):
        if token.text in _QUOTES_OPEN:
            inside = True
            continues = False if continues is None else continues
        elif token.text in _QUOTES_CLOSE:
            inside, closes = False, True
            closed_at = k if closed_at is None else closed_at
            continues = True if continues is None else continues
    start = bool(tokens) and tokens[0].text in _QUOTES_OPEN
    rest = tokens[closed_at + 1 :] if closed_at is not None else []
    return {
        "quote_only": start and not any(t.word for t in rest),
        "quote_start": start,
        "quote_opened": inside,
        "quote_closed": closes,
        "quote_continued": bool(continues),
    }


def _says_there(sentence: _Sentence) -> bool:
    """„Dort hieß es, …“."""
    words = [t.low for t in sentence.tokens[sentence.first :]]
    return "dort" in words and ("hieß" in words or "heißt" in words)


def _institutions(analysis: _Analysis) -> list[str]:
    """Institutions named anywhere in a sentence („… fragte beim Ministerium nach“)."""
    sentence = analysis.sentence
    if sentence is None:
        return []
    found = []
    k = sentence.first
    while k < sentence.n:
        phrase = (
            sentence.phrase(k, oblique=True)
            if sentence.is_name_word(k) or (sentence.low(k) in _DETERMINERS)
            else None
        )
        if phrase is not None and sentence.is_institution(phrase):
            candidate = _candidate(sentence, phrase, _RANK_OTHER)
            if candidate:
                found.append(candidate.text)
            k = phrase.end
            continue
        k += 1
    return found


def _attribution_only(sentence: _Sentence) -> bool:
    """„Das sagte Rutte am Donnerstag.“, „So äußerte sich Fuchs nach der Abstimmung.“."""
    j = sentence.first
    return sentence.low(j) in ("das", "dies", "so", "damit") and sentence.stance_verb(j + 1)


def _is_konjunktiv(sentence: _Sentence, i: int) -> bool:
    return sentence.low(i) in _KONJUNKTIV


def _reported(sentence: _Sentence) -> bool:
    """Reported speech with no speaker of its own: Konjunktiv I, „man“, a bare „hieß es“."""
    words = {t.text for t in sentence.tokens[sentence.first :]}
    if words & _KONJUNKTIV:
        return True
    return bool({"man", "Man"} & words) or ("hieß" in words and "es" in words)


class _Resolver:
    """The document pass: quotes, pronouns and reported speech take a neighbour's speaker."""

    def __init__(self, analyses: list[_Analysis]):
        self.analyses = analyses
        self.speakers: list[_Speaker] = []
        self.previous: list[str] = []  # the actors of the sentence before, as resolved
        self.inside_quote = False

    def resolve(self) -> list[list[str]]:
        result = []
        for i, analysis in enumerate(self.analyses):
            actors = self._actors(i, analysis)
            if analysis.heading:
                self.inside_quote = False
            elif analysis.quote_opened or analysis.quote_closed:
                self.inside_quote = analysis.quote_opened
            result.append(actors)
            self.previous = actors
        return result

    def _actors(self, i: int, analysis: _Analysis) -> list[str]:
        if analysis.heading:
            return []
        if analysis.actors:
            return [self._remember(candidate) for candidate in analysis.actors]
        if analysis.pronoun:
            speaker = self._antecedent(analysis.pronoun)
            if speaker:
                return [speaker.fullest]
        if analysis.there and i > 0:
            named = _institutions(self.analyses[i - 1])
            if named:
                return named[-1:]
        if analysis.quote_only or (self.inside_quote and not analysis.quote_start):
            still_open = analysis.quote_opened or (self.inside_quote and not analysis.quote_closed)
            following = self._following_speaker(i, still_open)
            if following:
                return following
            if self.previous:
                return self.previous[:1]
        if analysis.reported and self.previous:
            return self.previous[:1]
        return []

    def _following_speaker(self, i: int, still_open: bool) -> list[str]:
        """The speaker named where the quotation closes or in a following attribution."""
        for k in range(i + 1, min(len(self.analyses), i + 4)):
            nxt = self.analyses[k]
            if nxt.heading:
                return []
            closes_it = nxt.quote_continued or (still_open and nxt.quote_start)
            if nxt.actors and (nxt.attribution_only or (closes_it and nxt.quote_closed)):
                return [nxt.actors[0].text]
            if not still_open or nxt.quote_closed or nxt.quote_start:
                return []
        return []

    def _remember(self, candidate: _Candidate) -> str:
        """Add a mention to its speaker, or start a new speaker; return the mention."""
        key = normalise_actor(candidate.text)
        last = key.split()[-1] if key else ""
        for speaker in reversed(self.speakers):
            keys = [normalise_actor(m) for m in speaker.mentions]
            if any(_contains(key, k) or (k.split()[-1] == last and len(last) > 3) for k in keys):
                speaker.mentions.append(candidate.text)
                speaker.gender = speaker.gender or candidate.gender
                speaker.person = speaker.person or candidate.person
                self.speakers.remove(speaker)
                self.speakers.append(speaker)
                return candidate.text
        self.speakers.append(_Speaker([candidate.text], candidate.gender, candidate.person))
        return candidate.text

    def _antecedent(self, pronoun: str) -> _Speaker | None:
        """The most recent speaker an „er“ (m) or „sie“ (f, plural) can refer to."""
        recent = list(reversed(self.speakers))[:4]
        for speaker in recent:
            if _compatible(speaker.gender, pronoun):
                return speaker
        return recent[0] if recent else None

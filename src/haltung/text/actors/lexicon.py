"""Word lists and patterns of German news text that the actor rules test words against."""

from __future__ import annotations

import re

_MAX_NP = 14  # tokens in one noun phrase, attributes included
_MAX_LOOKAHEAD = 40  # tokens searched for a particle or a clause-final verb


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


def _pronominal_adverbs(prepositions: str) -> frozenset[str]:
    """da(r)-, wo(r)- and hier- with each preposition: „dazu“, „darüber“, „wovon“, „hierzu“."""
    forms = set()
    for preposition in prepositions.split():
        r = "r" if preposition[0] in "aeiouäöü" else ""
        forms |= {f"da{r}{preposition}", f"wo{r}{preposition}", f"hier{preposition}"}
    return frozenset(forms)


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
    allenfalls andererseits anschließend ansonsten beispielsweise demnach dementsprechend
    demzufolge desto eigentlich einerseits erstens zweitens drittens ebenda eventuell fortan
    gegebenenfalls genauso grundsätzlich häufig indessen insofern insoweit keinesfalls
    keineswegs kürzlich künftig letztlich manchmal möglicherweise nämlich natürlich nunmehr
    oft offensichtlich schlicht selten sonst stattdessen übrigens umgekehrt vorgestern
    wahrscheinlich womöglich zumindest zusätzlich daraufhin dahin daher dorther woher wohin
    hierher hierhin hierzulande darob aber
    """) | _pronominal_adverbs(
    "an auf aus bei durch für gegen hinter in mit nach neben über um unter von vor zu zwischen"
)
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

"""Demo content for the Herten town-centre "Advents-Rallye" application.

This module only holds plain, typed data. It has no dependencies on Flask, the
database or any other part of the project, so it can be imported from seed
scripts, tests and CLI commands alike.

Contents:

* ``SERVICES``: the six services offered by the "Nutzungsmanagement Innenstadt"
  office, in display order; ``SERVICE_TRANSLATIONS``: the same in English and Turkish.
* ``CATEGORIES``: the shop categories used to group participating businesses.
* ``SHOPS``: 40 fictitious businesses and institutions in the pedestrian zone.
  All names, descriptions and websites are invented; any resemblance to real
  businesses is unintended.
* ``RALLY_RULES``: the terms of participation for the demo rally, in Markdown.
* ``RALLY_PRIZES``: invented prizes for the demo draw, most with a donating shop.
* ``RALLY_WINNERS_NOTICE``: how the demo's winners hear of their prize.

Identifiers and comments are English; all user-facing text is German, but for
``SERVICE_TRANSLATIONS``.
"""

from typing import Final, TypedDict

# ---------------------------------------------------------------------------
# Contact details of the office (reused in several texts below)
# ---------------------------------------------------------------------------

OFFICE_NAME: Final[str] = "Nutzungsmanagement Innenstadt Herten"
OFFICE_PHONE: Final[str] = "02366 9360621"
OFFICE_EMAIL: Final[str] = "nutzungsmanagement@innenstadt-herten.de"


# ---------------------------------------------------------------------------
# Services of the office
# ---------------------------------------------------------------------------


class ServiceData(TypedDict):
    """One service of the office as shown on the services page."""

    slug: str
    title: str
    summary: str
    body: str


SERVICES: Final[list[ServiceData]] = [
    {
        "slug": "leerstandsmanagement",
        "title": "Leerstandsmanagement",
        "summary": (
            "Wir vermitteln freie Ladenlokale in der Innenstadt – dauerhaft, "
            "als Pop-up-Store oder zur Zwischennutzung."
        ),
        "body": (
            "Sie suchen eine passende Fläche für Ihr Geschäft, Ihr Atelier oder "
            "Ihre Idee? Wir haben einen guten Überblick über die leer stehenden "
            "Ladenlokale in der Hertener Innenstadt und stellen den Kontakt zu den "
            "Eigentümerinnen und Eigentümern her.\n\n"
            "Nicht jede Idee braucht gleich einen langfristigen Mietvertrag. Mit "
            "einem Pop-up-Store oder einer Zwischennutzung können Sie Ihr Konzept "
            "für einige Wochen oder Monate ausprobieren und dabei erleben, wie es "
            "bei der Kundschaft ankommt.\n\n"
            "Sprechen Sie uns einfach an: Gemeinsam prüfen wir, welche Fläche zu "
            "Ihrem Vorhaben passt, und begleiten Sie bis zur Eröffnung."
        ),
    },
    {
        "slug": "kurzberatung",
        "title": "Kurzberatung zur Unternehmensentwicklung",
        "summary": (
            "In einer kostenlosen Kurzberatung schauen wir gemeinsam auf Ihr "
            "Unternehmen und die nächsten sinnvollen Schritte."
        ),
        "body": (
            "Ob neues Sortiment, veränderte Kundschaft oder die Frage, wie es mit "
            "Ihrem Geschäft weitergehen soll: Manchmal hilft schon ein Gespräch "
            "mit einem frischen Blick von außen.\n\n"
            "In der Kurzberatung nehmen wir uns Zeit für Ihre Situation, sortieren "
            "gemeinsam die wichtigsten Themen und überlegen, wo Sie ansetzen "
            "können. Bei Bedarf vermitteln wir Sie an passende Fachleute, "
            "Kammern oder Förderstellen weiter.\n\n"
            "Die Kurzberatung ist für Sie unverbindlich und vertraulich."
        ),
    },
    {
        "slug": "unternehmensnachfolge",
        "title": "Unterstützung bei der Unternehmensnachfolge",
        "summary": (
            "Wir helfen Ihnen, eine Nachfolge für Ihr Geschäft zu finden – besonders "
            "im Einzelhandel und im Handwerk."
        ),
        "body": (
            "Viele inhabergeführte Geschäfte und Handwerksbetriebe prägen seit "
            "Jahrzehnten das Bild unserer Innenstadt. Wenn Sie über den Ruhestand "
            "nachdenken, lohnt es sich, die Übergabe frühzeitig zu planen.\n\n"
            "Wir unterstützen Sie dabei, die richtigen Fragen zu stellen, Ihr "
            "Geschäft für eine Übernahme vorzubereiten und Kontakte zu möglichen "
            "Nachfolgerinnen und Nachfolgern zu knüpfen.\n\n"
            "Auch wenn Sie selbst einen Betrieb übernehmen möchten, sind Sie bei "
            "uns richtig: Wir zeigen Ihnen, welche Geschäfte eine Nachfolge suchen "
            "und wer Sie auf dem Weg begleiten kann."
        ),
    },
    {
        "slug": "qualifizierung",
        "title": "Qualifizierungsangebote und Förderung",
        "summary": (
            "Mit praxisnahen Workshops und Hinweisen zu Fördermitteln machen wir "
            "Ihr Unternehmen fit für die Zukunft."
        ),
        "body": (
            "Wir organisieren Qualifizierungsangebote, die sich an den Alltag in "
            "der Innenstadt richten – zum Beispiel den Workshop „Online-Präsenz für "
            "den Einzelhandel“ oder Veranstaltungen für junge Gründerinnen und "
            "Gründer.\n\n"
            "Gemeinsam mit dem Jobcenter unterstützen wir Sie, wenn Sie Personal "
            "suchen oder sich selbst beruflich weiterentwickeln möchten.\n\n"
            "Außerdem geben wir Ihnen einen Überblick über Fördermöglichkeiten für "
            "Gründung, Finanzierung und Weiterbildung und helfen Ihnen, das "
            "passende Programm für Ihr Vorhaben zu finden."
        ),
    },
    {
        "slug": "netzwerk",
        "title": "Netzwerk und Unternehmensführungen",
        "summary": (
            "Lernen Sie andere Unternehmerinnen und Unternehmer kennen und werfen Sie "
            "einen Blick hinter die Kulissen der Innenstadt."
        ),
        "body": (
            "Bei unserem regelmäßigen Netzwerktreffen kommen Inhaberinnen und "
            "Inhaber aus der Innenstadt ins Gespräch. Ein besonderes Anliegen ist "
            "uns, junge Gründerinnen zu stärken und miteinander zu vernetzen.\n\n"
            "Bei unseren Unternehmensführungen öffnen Betriebe ihre Türen und "
            "zeigen, wie bei ihnen gearbeitet wird – vor Ort in der Werkstatt oder "
            "im Laden und auch digital per Videoschalte.\n\n"
            "Sie möchten selbst Gastgeberin oder Gastgeber einer Führung sein? "
            "Melden Sie sich gern bei uns."
        ),
    },
    {
        "slug": "beratungstermine",
        "title": "Beratungstermine",
        "summary": (
            "Vereinbaren Sie einen persönlichen Beratungstermin – montags bis donnerstags."
        ),
        "body": (
            "Für ein persönliches Gespräch nehmen wir uns gern Zeit. "
            "Beratungstermine bieten wir von Montag bis Donnerstag an.\n\n"
            "Rufen Sie uns einfach unter 02366 9360621 an oder schreiben Sie eine "
            "E-Mail an nutzungsmanagement@innenstadt-herten.de. Nennen Sie uns "
            "kurz Ihr Anliegen und ein paar Wunschtermine, dann melden wir uns "
            "schnellstmöglich bei Ihnen.\n\n"
            "Die Beratung ist für Sie kostenlos und unverbindlich."
        ),
    },
]

# The six services in English and Turkish, by slug and language: stored as translations
# by ``content load`` (app.services.office_texts.load_defaults) where a field has none.
# Phone number and e-mail address stay as in the German text, which links them.
SERVICE_TRANSLATIONS: Final[dict[str, dict[str, dict[str, str]]]] = {
    "leerstandsmanagement": {
        "en": {
            "title": "Empty-shop management",
            "summary": (
                "We arrange empty shop premises in the town centre – long-term, as a "
                "pop-up store or for temporary use."
            ),
            "body": (
                "Are you looking for the right space for your shop, your studio or your "
                "idea? We have a good overview of the empty shops in Herten's town "
                "centre and put you in touch with their owners.\n\n"
                "Not every idea needs a long-term lease straight away. With a pop-up "
                "store or a temporary use you can try out your concept for a few weeks "
                "or months and see how customers take to it.\n\n"
                "Just get in touch: together we look at which space suits your plans, "
                "and we support you all the way to the opening."
            ),
        },
        "tr": {
            "title": "Boş dükkan yönetimi",
            "summary": (
                "Şehir merkezindeki boş dükkanlar için aracılık yapıyoruz – uzun süreli, "
                "pop-up mağaza olarak veya geçici kullanım için."
            ),
            "body": (
                "İşiniz, atölyeniz ya da fikriniz için uygun bir yer mi arıyorsunuz? "
                "Herten şehir merkezindeki boş dükkanları iyi tanıyoruz ve sizi mülk "
                "sahipleriyle buluşturuyoruz.\n\n"
                "Her fikir hemen uzun süreli bir kira sözleşmesi gerektirmez. Bir "
                "pop-up mağaza veya geçici kullanım ile konseptinizi birkaç hafta ya da "
                "birkaç ay deneyebilir, müşterilerin onu nasıl karşıladığını "
                "görebilirsiniz.\n\n"
                "Bize ulaşmanız yeterli: Hangi dükkanın planınıza uyduğunu birlikte "
                "inceliyor ve açılışa kadar size eşlik ediyoruz."
            ),
        },
    },
    "kurzberatung": {
        "en": {
            "title": "Short consultation on developing your business",
            "summary": (
                "In a free short consultation we look at your business together and at "
                "the sensible next steps."
            ),
            "body": (
                "A new range of goods, changing customers or the question of how your "
                "business should carry on: sometimes a conversation with a fresh pair "
                "of eyes from outside is all it takes.\n\n"
                "In the short consultation we take time for your situation, sort out "
                "the most important topics together and think about where you can "
                "start. If needed, we put you in touch with the right experts, the "
                "chambers (of commerce and of crafts) or funding bodies.\n\n"
                "The short consultation is free of obligation and confidential."
            ),
        },
        "tr": {
            "title": "İşletme gelişimi için kısa danışmanlık",
            "summary": (
                "Ücretsiz bir kısa danışmanlıkta işletmenize ve atılacak doğru sonraki "
                "adımlara birlikte bakıyoruz."
            ),
            "body": (
                "Yeni ürün çeşitleri, değişen müşteriler ya da işinizin nasıl devam "
                "edeceği sorusu: Bazen dışarıdan taze bir bakışla yapılan bir sohbet "
                "bile yardımcı olur.\n\n"
                "Kısa danışmanlıkta durumunuza zaman ayırıyor, en önemli konuları "
                "birlikte sıralıyor ve nereden başlayabileceğinizi düşünüyoruz. "
                "Gerekirse sizi uygun uzmanlara, meslek odalarına (ticaret odası, "
                "zanaat odası) veya destek kurumlarına yönlendiriyoruz.\n\n"
                "Kısa danışmanlık sizin için bağlayıcı değildir ve gizlidir."
            ),
        },
    },
    "unternehmensnachfolge": {
        "en": {
            "title": "Support with business succession",
            "summary": (
                "We help you find a successor for your business – especially in retail "
                "and the crafts."
            ),
            "body": (
                "Many owner-run shops and craft businesses have shaped our town centre "
                "for decades. If you are thinking about retiring, it pays to plan the "
                "handover early.\n\n"
                "We help you ask the right questions, prepare your business for a "
                "takeover and make contact with possible successors.\n\n"
                "If you would like to take over a business yourself, you have come to "
                "the right place too: we show you which businesses are looking for a "
                "successor and who can support you along the way."
            ),
        },
        "tr": {
            "title": "İşletme devrinde destek",
            "summary": (
                "İşletmeniz için devralacak birini bulmanıza yardım ediyoruz – özellikle "
                "perakende ve zanaat alanında."
            ),
            "body": (
                "Sahiplerinin işlettiği birçok dükkan ve zanaat işletmesi onlarca "
                "yıldır şehir merkezimizin yüzünü belirliyor. Emekliliği "
                "düşünüyorsanız devri erkenden planlamanız faydalı olur.\n\n"
                "Doğru soruları sormanızda, işletmenizi devre hazırlamanızda ve olası "
                "devralanlarla bağlantı kurmanızda size destek oluyoruz.\n\n"
                "Kendiniz bir işletme devralmak istiyorsanız da doğru yerdesiniz: Hangi "
                "işletmelerin devralacak birini aradığını ve bu yolda size kimin eşlik "
                "edebileceğini gösteriyoruz."
            ),
        },
    },
    "qualifizierung": {
        "en": {
            "title": "Training and funding",
            "summary": (
                "With practical workshops and advice on funding, we help your business "
                "get ready for the future."
            ),
            "body": (
                "We organise training geared to everyday work in the town centre – for "
                "example the workshop “Online-Präsenz für den Einzelhandel” (online "
                "presence for retailers) or events for young founders.\n\n"
                "Together with the Jobcenter (the public employment office), we support "
                "you if you are looking for staff or want to develop your own "
                "career.\n\n"
                "We also give you an overview of funding for starting a business, "
                "financing and further training, and help you find the right programme "
                "for your plans."
            ),
        },
        "tr": {
            "title": "Eğitim olanakları ve destekler",
            "summary": (
                "Uygulamaya yönelik atölyeler ve destek fonlarına dair bilgilerle "
                "işletmenizi geleceğe hazırlıyoruz."
            ),
            "body": (
                "Şehir merkezindeki günlük işe yönelik eğitimler düzenliyoruz – örneğin "
                "“Online-Präsenz für den Einzelhandel” (perakende için internette var "
                "olmak) atölyesi ya da genç girişimciler için etkinlikler.\n\n"
                "Jobcenter (devletin iş ve işçi bulma kurumu) ile birlikte, personel "
                "arıyorsanız veya mesleki olarak kendinizi geliştirmek istiyorsanız "
                "size destek oluyoruz.\n\n"
                "Ayrıca kuruluş, finansman ve mesleki eğitim için destek olanaklarını "
                "size özetliyor ve planınıza uygun programı bulmanıza yardım ediyoruz."
            ),
        },
    },
    "netzwerk": {
        "en": {
            "title": "Network and business tours",
            "summary": (
                "Meet other business owners and take a look behind the scenes of the "
                "town centre."
            ),
            "body": (
                "At our regular networking meeting, owners of businesses in the town "
                "centre get talking. We particularly want to strengthen young women "
                "founders and connect them with each other.\n\n"
                "On our business tours, businesses open their doors and show how they "
                "work – on site in the workshop or the shop, and online by video call "
                "too.\n\n"
                "Would you like to host a tour yourself? Just get in touch with us."
            ),
        },
        "tr": {
            "title": "İş ağı ve işletme ziyaretleri",
            "summary": (
                "Başka işletme sahipleriyle tanışın ve şehir merkezinin perde arkasına "
                "bir göz atın."
            ),
            "body": (
                "Düzenli iş ağı buluşmamızda şehir merkezindeki işletme sahipleri bir "
                "araya gelip sohbet eder. Genç kadın girişimcileri güçlendirmek ve "
                "birbirleriyle tanıştırmak bizim için özellikle önemlidir.\n\n"
                "İşletme ziyaretlerimizde işletmeler kapılarını açar ve nasıl "
                "çalıştıklarını gösterir – yerinde, atölyede veya dükkanda, ayrıca "
                "internetten görüntülü bağlantıyla da.\n\n"
                "Siz de bir ziyarete ev sahipliği yapmak ister misiniz? Bize ulaşmanız "
                "yeterli."
            ),
        },
    },
    "beratungstermine": {
        "en": {
            "title": "Consultation appointments",
            "summary": "Arrange a personal consultation appointment – Monday to Thursday.",
            "body": (
                "We are happy to take time for a personal conversation. We offer "
                "consultation appointments from Monday to Thursday.\n\n"
                "Just call us on 02366 9360621 or send an email to "
                "nutzungsmanagement@innenstadt-herten.de. Tell us briefly what it is "
                "about and a few times that would suit you, and we will get back to "
                "you as soon as we can.\n\n"
                "The consultation is free of charge and free of obligation."
            ),
        },
        "tr": {
            "title": "Danışmanlık randevuları",
            "summary": "Kişisel bir danışmanlık randevusu alın – pazartesiden perşembeye.",
            "body": (
                "Yüz yüze bir görüşme için seve seve zaman ayırıyoruz. Danışmanlık "
                "randevularını pazartesiden perşembeye veriyoruz.\n\n"
                "Bizi 02366 9360621 numaralı telefondan arayın ya da "
                "nutzungsmanagement@innenstadt-herten.de adresine e-posta gönderin. "
                "Konunuzu ve size uygun birkaç tarihi kısaca yazın; en kısa sürede "
                "size dönüş yapalım.\n\n"
                "Danışmanlık sizin için ücretsizdir ve bağlayıcı değildir."
            ),
        },
    },
}


# ---------------------------------------------------------------------------
# Shop categories
# ---------------------------------------------------------------------------

CATEGORIES: Final[tuple[str, ...]] = (
    "Mode & Accessoires",
    "Bücher & Geschenke",
    "Essen & Trinken",
    "Lebensmittel & Feinkost",
    "Handwerk",
    "Gesundheit & Schönheit",
    "Dienstleistung",
    "Soziale Einrichtung",
)


# ---------------------------------------------------------------------------
# Participating shops (all fictitious)
# ---------------------------------------------------------------------------


class ShopData(TypedDict):
    """One fictitious business or institution in the pedestrian zone."""

    name: str
    slug: str
    category: str
    street: str
    postcode: str
    city: str
    lat: float
    lon: float
    opening_hours: str
    description: str
    website: str


# Coordinates are invented but consistent: shops on the same street lie on
# a straight line, with odd and even house numbers on opposite sides.
SHOPS: Final[list[ShopData]] = [
    # --- Mode & Accessoires -------------------------------------------------
    {
        "name": "Modehaus Fadenlauf",
        "slug": "modehaus-fadenlauf",
        "category": "Mode & Accessoires",
        "street": "Hermannstraße 14",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596272,
        "lon": 7.142753,
        "opening_hours": "Mo–Fr 9:30–18:30, Sa 10–16 Uhr",
        "description": (
            "Damen- und Herrenmode für jeden Tag und besondere Anlässe, mit viel "
            "Zeit für eine ehrliche Beratung."
        ),
        "website": "https://fadenlauf.example.test",
    },
    {
        "name": "Taschenwerk Lederfalte",
        "slug": "taschenwerk-lederfalte",
        "category": "Mode & Accessoires",
        "street": "Kaiserstraße 7",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595636,
        "lon": 7.139790,
        "opening_hours": "Di–Fr 10–18, Sa 10–15 Uhr",
        "description": (
            "Taschen, Gürtel und Geldbörsen aus pflanzlich gegerbtem Leder – "
            "vieles davon in kleinen Stückzahlen gefertigt."
        ),
        "website": "",
    },
    {
        "name": "Boutique Wollweiß",
        "slug": "boutique-wollweiss",
        "category": "Mode & Accessoires",
        "street": "Ewaldstraße 23",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594201,
        "lon": 7.140711,
        "opening_hours": "Mo–Fr 10–18, Sa 10–15 Uhr",
        "description": (
            "Kuschelige Strickmode, Schals und Mützen – genau das Richtige für kalte Adventstage."
        ),
        "website": "https://wollweiss.example.test",
    },
    {
        "name": "Schuhhaus Schrittmaß",
        "slug": "schuhhaus-schrittmass",
        "category": "Mode & Accessoires",
        "street": "Hermannstraße 27",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596928,
        "lon": 7.143347,
        "opening_hours": "Mo–Fr 9:30–18:30, Sa 9:30–16 Uhr",
        "description": (
            "Bequeme Schuhe für Groß und Klein, sorgfältig vermessen und "
            "angepasst. Auch Einlagen und Schuhpflege gibt es hier."
        ),
        "website": "https://schrittmass.example.test",
    },
    {
        "name": "Kindermode Pünktchen",
        "slug": "kindermode-puenktchen",
        "category": "Mode & Accessoires",
        "street": "Antoniusstraße 5",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595134,
        "lon": 7.142579,
        "opening_hours": "Mo–Fr 9:30–18, Sa 10–14 Uhr",
        "description": (
            "Fröhliche Kleidung für Babys und Kinder bis zehn Jahre, dazu "
            "Mitbringsel für Taufe und Geburtstag."
        ),
        "website": "",
    },
    {
        "name": "Secondhand-Laden Kleiderwechsel",
        "slug": "secondhand-laden-kleiderwechsel",
        "category": "Mode & Accessoires",
        "street": "Blumenstraße 4",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596571,
        "lon": 7.140235,
        "opening_hours": "Di–Fr 11–18, Sa 10–14 Uhr",
        "description": (
            "Gut erhaltene Kleidung aus zweiter Hand zu fairen Preisen. Wer "
            "möchte, kann hier auch eigene Stücke in Kommission geben."
        ),
        "website": "https://kleiderwechsel.example.test",
    },
    # --- Bücher & Geschenke -------------------------------------------------
    {
        "name": "Buchhandlung Lesezeichen",
        "slug": "buchhandlung-lesezeichen",
        "category": "Bücher & Geschenke",
        "street": "Hermannstraße 9",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596144,
        "lon": 7.142286,
        "opening_hours": "Mo–Fr 9–18:30, Sa 9–16 Uhr",
        "description": (
            "Romane, Kinderbücher und Regionales aus dem Ruhrgebiet. Bestellungen "
            "liegen meist schon am nächsten Morgen zur Abholung bereit."
        ),
        "website": "https://lesezeichen-herten.example.test",
    },
    {
        "name": "Papeterie Federkiel",
        "slug": "papeterie-federkiel",
        "category": "Bücher & Geschenke",
        "street": "Kaiserstraße 12",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595857,
        "lon": 7.139369,
        "opening_hours": "Mo–Fr 9:30–18, Sa 10–15 Uhr",
        "description": (
            "Schöne Papiere, Füllfederhalter und Grußkarten – ideal für alle, die "
            "noch gern mit der Hand schreiben."
        ),
        "website": "",
    },
    {
        "name": "Geschenkestube Sternschnuppe",
        "slug": "geschenkestube-sternschnuppe",
        "category": "Bücher & Geschenke",
        "street": "Marktplatz 3",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595450,
        "lon": 7.141050,
        "opening_hours": "Mo–Sa 10–18 Uhr",
        "description": (
            "Kleine Aufmerksamkeiten, Kerzen und Weihnachtsschmuck, auf Wunsch liebevoll verpackt."
        ),
        "website": "https://sternschnuppe.example.test",
    },
    {
        "name": "Spielwaren Kreisel",
        "slug": "spielwaren-kreisel",
        "category": "Bücher & Geschenke",
        "street": "Ewaldstraße 31",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593916,
        "lon": 7.140603,
        "opening_hours": "Mo–Fr 9:30–18:30, Sa 10–16 Uhr",
        "description": (
            "Holzspielzeug, Brettspiele und Bastelsets für alle Altersstufen. "
            "Samstags darf an der Spielecke ausprobiert werden."
        ),
        "website": "https://kreisel-spielwaren.example.test",
    },
    {
        "name": "Galerie Farbtupfer",
        "slug": "galerie-farbtupfer",
        "category": "Bücher & Geschenke",
        "street": "Gartenstraße 6",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593990,
        "lon": 7.142381,
        "opening_hours": "Mi–Fr 11–18, Sa 11–15 Uhr",
        "description": (
            "Bilder, Drucke und Keramik von Künstlerinnen und Künstlern aus der "
            "Region – dazu wechselnde kleine Ausstellungen."
        ),
        "website": "",
    },
    # --- Essen & Trinken ----------------------------------------------------
    {
        "name": "Café Kornblume",
        "slug": "cafe-kornblume",
        "category": "Essen & Trinken",
        "street": "Marktplatz 5",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595550,
        "lon": 7.141400,
        "opening_hours": "Mo–Sa 8–18, So 10–17 Uhr",
        "description": (
            "Hausgemachte Kuchen, Frühstück und ein Platz am Fenster mit Blick auf den Markt."
        ),
        "website": "https://kornblume-cafe.example.test",
    },
    {
        "name": "Eiscafé Waffelturm",
        "slug": "eiscafe-waffelturm",
        "category": "Essen & Trinken",
        "street": "Marktplatz 10",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595200,
        "lon": 7.141300,
        "opening_hours": "Di–So 11–19 Uhr",
        "description": (
            "Im Sommer Eis aus eigener Herstellung, im Winter frische Waffeln und heiße Schokolade."
        ),
        "website": "",
    },
    {
        "name": "Bistro Zeitlos",
        "slug": "bistro-zeitlos",
        "category": "Essen & Trinken",
        "street": "Hermannstraße 21",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596667,
        "lon": 7.142993,
        "opening_hours": "Mo–Fr 11:30–20, Sa 11:30–16 Uhr",
        "description": (
            "Wechselnder Mittagstisch, Suppen und Salate – schnell serviert und "
            "trotzdem mit Ruhe gekocht."
        ),
        "website": "https://bistro-zeitlos.example.test",
    },
    {
        "name": "Teestube Kandiszucker",
        "slug": "teestube-kandiszucker",
        "category": "Essen & Trinken",
        "street": "Antoniusstraße 11",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595009,
        "lon": 7.143169,
        "opening_hours": "Di–Sa 10–18 Uhr",
        "description": (
            "Über hundert Teesorten zum Trinken und Mitnehmen, dazu Scones und kleine Leckereien."
        ),
        "website": "",
    },
    {
        "name": "Pizzeria Sonnenofen",
        "slug": "pizzeria-sonnenofen",
        "category": "Essen & Trinken",
        "street": "Ewaldstraße 40",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593628,
        "lon": 7.140262,
        "opening_hours": "Di–So 12–22 Uhr",
        "description": ("Pizza aus dem Steinofen und hausgemachte Pasta, gern auch zum Mitnehmen."),
        "website": "https://sonnenofen.example.test",
    },
    {
        "name": "Gasthaus Zum Förderkorb",
        "slug": "gasthaus-zum-foerderkorb",
        "category": "Essen & Trinken",
        "street": "Kaiserstraße 20",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595995,
        "lon": 7.138597,
        "opening_hours": "Mi–So 11:30–22 Uhr",
        "description": (
            "Bodenständige Küche mit Gerichten aus dem Revier, gemütlicher "
            "Gaststube und einem Saal für Feiern."
        ),
        "website": "https://foerderkorb.example.test",
    },
    {
        "name": "Saftbar Fruchtwerk",
        "slug": "saftbar-fruchtwerk",
        "category": "Essen & Trinken",
        "street": "Blumenstraße 9",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596773,
        "lon": 7.140713,
        "opening_hours": "Mo–Fr 8–17, Sa 9–15 Uhr",
        "description": (
            "Frisch gepresste Säfte, Smoothies und Bowls – im Advent auch mit "
            "warmem Apfel-Zimt-Punsch."
        ),
        "website": "",
    },
    # --- Lebensmittel & Feinkost --------------------------------------------
    {
        "name": "Bäckerei Krümel & Korn",
        "slug": "baeckerei-kruemel-korn",
        "category": "Lebensmittel & Feinkost",
        "street": "Ewaldstraße 8",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594767,
        "lon": 7.140695,
        "opening_hours": "Mo–Fr 6:30–18, Sa 6:30–13, So 8–11 Uhr",
        "description": (
            "Brot mit langer Teigführung, Brötchen vom frühen Morgen und in der "
            "Adventszeit Stollen nach Familienrezept."
        ),
        "website": "https://kruemel-und-korn.example.test",
    },
    {
        "name": "Feinkost Olivenzweig",
        "slug": "feinkost-olivenzweig",
        "category": "Lebensmittel & Feinkost",
        "street": "Hermannstraße 33",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.597190,
        "lon": 7.143701,
        "opening_hours": "Di–Fr 10–18:30, Sa 9–15 Uhr",
        "description": (
            "Olivenöle, Antipasti und Gewürze aus dem Mittelmeerraum. Auf Wunsch "
            "werden Präsentkörbe zusammengestellt."
        ),
        "website": "https://olivenzweig.example.test",
    },
    {
        "name": "Fleischerei Rauchkammer",
        "slug": "fleischerei-rauchkammer",
        "category": "Lebensmittel & Feinkost",
        "street": "Kaiserstraße 25",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595947,
        "lon": 7.138052,
        "opening_hours": "Mo–Fr 7:30–18, Sa 7–13 Uhr",
        "description": (
            "Fleisch von Höfen aus der Umgebung und Wurst aus eigener "
            "Herstellung, mittags mit warmer Theke."
        ),
        "website": "",
    },
    {
        "name": "Käseladen Laib & Rinde",
        "slug": "kaeseladen-laib-rinde",
        "category": "Lebensmittel & Feinkost",
        "street": "Antoniusstraße 17",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594885,
        "lon": 7.143759,
        "opening_hours": "Di–Fr 9–18, Sa 8–14 Uhr",
        "description": (
            "Rund achtzig Käsesorten, viele davon aus kleinen Hofkäsereien. "
            "Probieren ausdrücklich erwünscht."
        ),
        "website": "https://laib-und-rinde.example.test",
    },
    {
        "name": "Unverpackt-Laden Tütenlos",
        "slug": "unverpackt-laden-tuetenlos",
        "category": "Lebensmittel & Feinkost",
        "street": "Gartenstraße 12",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593753,
        "lon": 7.143139,
        "opening_hours": "Mo–Fr 10–18, Sa 10–14 Uhr",
        "description": (
            "Nudeln, Nüsse, Müsli und Reinigungsmittel zum Selbstabfüllen. "
            "Eigene Behälter mitbringen oder vor Ort Pfandgläser nutzen."
        ),
        "website": "https://tuetenlos.example.test",
    },
    # --- Handwerk -----------------------------------------------------------
    {
        "name": "Goldschmiede Ringel",
        "slug": "goldschmiede-ringel",
        "category": "Handwerk",
        "street": "Kaiserstraße 3",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595567,
        "lon": 7.140176,
        "opening_hours": "Di–Fr 10–18, Sa 10–14 Uhr",
        "description": (
            "Schmuck nach eigenen Entwürfen, Trauringe und Umarbeitungen von "
            "Erbstücken – alles in der Werkstatt hinter dem Laden gefertigt."
        ),
        "website": "https://goldschmiede-ringel.example.test",
    },
    {
        "name": "Uhrmacherei Unruh",
        "slug": "uhrmacherei-unruh",
        "category": "Handwerk",
        "street": "Hermannstraße 5",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595969,
        "lon": 7.142050,
        "opening_hours": "Mo–Fr 9–13 und 14:30–18, Sa 9–13 Uhr",
        "description": (
            "Reparatur und Pflege von Armband-, Taschen- und Wanduhren. "
            "Batteriewechsel meist sofort zum Mitnehmen."
        ),
        "website": "",
    },
    {
        "name": "Schneiderei Nadelöhr",
        "slug": "schneiderei-nadeloehr",
        "category": "Handwerk",
        "street": "Blumenstraße 15",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596851,
        "lon": 7.141339,
        "opening_hours": "Mo–Fr 9–18, Sa 9–13 Uhr",
        "description": (
            "Änderungen, Reparaturen und Maßanfertigungen – vom gekürzten Hosenbein "
            "bis zum Ballkleid."
        ),
        "website": "",
    },
    {
        "name": "Schusterwerkstatt Sohle & Naht",
        "slug": "schusterwerkstatt-sohle-naht",
        "category": "Handwerk",
        "street": "Ewaldstraße 52",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593201,
        "lon": 7.140099,
        "opening_hours": "Mo–Fr 8:30–17:30, Sa 9–12 Uhr",
        "description": (
            "Neue Absätze, Sohlen und Nähte für Lieblingsschuhe und Taschen. "
            "Schlüssel werden hier ebenfalls nachgemacht."
        ),
        "website": "",
    },
    {
        "name": "Rahmenwerkstatt Goldleiste",
        "slug": "rahmenwerkstatt-goldleiste",
        "category": "Handwerk",
        "street": "Gartenstraße 3",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594234,
        "lon": 7.142103,
        "opening_hours": "Di–Fr 10–18, Sa 10–13 Uhr",
        "description": (
            "Bilderrahmen nach Maß, Passepartouts und Einrahmungen für Fotos, "
            "Urkunden und Kinderzeichnungen."
        ),
        "website": "https://goldleiste.example.test",
    },
    # --- Gesundheit & Schönheit ---------------------------------------------
    {
        "name": "Friseursalon Scherenschnitt",
        "slug": "friseursalon-scherenschnitt",
        "category": "Gesundheit & Schönheit",
        "street": "Hermannstraße 18",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596446,
        "lon": 7.142989,
        "opening_hours": "Di–Fr 9–18, Sa 8–14 Uhr",
        "description": (
            "Schnitte, Farbe und Festtagsfrisuren für Damen, Herren und Kinder. "
            "Termine gern telefonisch, spontane Besuche nach Möglichkeit."
        ),
        "website": "https://scherenschnitt.example.test",
    },
    {
        "name": "Sanitätshaus Stützpunkt",
        "slug": "sanitaetshaus-stuetzpunkt",
        "category": "Gesundheit & Schönheit",
        "street": "Ewaldstraße 15",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594486,
        "lon": 7.140820,
        "opening_hours": "Mo–Fr 8:30–18, Sa 9–12 Uhr",
        "description": (
            "Bandagen, Kompressionsstrümpfe und Alltagshilfen mit persönlicher "
            "Anpassung in ruhigen Beratungsräumen."
        ),
        "website": "https://stuetzpunkt.example.test",
    },
    {
        "name": "Optik Linsenklar",
        "slug": "optik-linsenklar",
        "category": "Gesundheit & Schönheit",
        "street": "Hermannstraße 24",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596708,
        "lon": 7.143343,
        "opening_hours": "Mo–Fr 9:30–18, Sa 10–14 Uhr",
        "description": (
            "Brillen, Sonnenbrillen und Kontaktlinsen mit kostenlosem Sehtest und "
            "kleinen Reparaturen im Handumdrehen."
        ),
        "website": "https://linsenklar.example.test",
    },
    {
        "name": "Naturkosmetik Lavendelhof",
        "slug": "naturkosmetik-lavendelhof",
        "category": "Gesundheit & Schönheit",
        "street": "Antoniusstraße 22",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594649,
        "lon": 7.144178,
        "opening_hours": "Di–Fr 10–18, Sa 10–15 Uhr",
        "description": (
            "Seifen, Cremes und Düfte aus natürlichen Zutaten, dazu Kosmetikbehandlungen "
            "nach Terminvereinbarung."
        ),
        "website": "",
    },
    {
        "name": "Fußpflege Leichtfuß",
        "slug": "fusspflege-leichtfuss",
        "category": "Gesundheit & Schönheit",
        "street": "Blumenstraße 11",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596799,
        "lon": 7.140921,
        "opening_hours": "Mo–Do 8–17, Fr 8–13 Uhr, nach Vereinbarung",
        "description": (
            "Medizinische Fußpflege und entspannende Fußbäder. Hausbesuche sind "
            "nach Absprache möglich."
        ),
        "website": "",
    },
    # --- Dienstleistung -----------------------------------------------------
    {
        "name": "Reisebüro Kofferpacken",
        "slug": "reisebuero-kofferpacken",
        "category": "Dienstleistung",
        "street": "Kaiserstraße 16",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595926,
        "lon": 7.138983,
        "opening_hours": "Mo–Fr 10–18, Sa 10–13 Uhr",
        "description": (
            "Persönliche Reiseberatung von der Städtereise bis zur Kreuzfahrt – "
            "Gutscheine für Reiselustige gibt es auch."
        ),
        "website": "https://kofferpacken.example.test",
    },
    {
        "name": "PC- und Handyhilfe Bitfix",
        "slug": "pc-und-handyhilfe-bitfix",
        "category": "Dienstleistung",
        "street": "Ewaldstraße 27",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.594058,
        "lon": 7.140657,
        "opening_hours": "Mo–Fr 10–18, Sa 10–14 Uhr",
        "description": (
            "Displaytausch, Datenrettung und geduldige Hilfe beim Einrichten "
            "neuer Geräte – auch für Einsteigerinnen und Einsteiger."
        ),
        "website": "https://bitfix.example.test",
    },
    {
        "name": "Textilreinigung Frischfaser",
        "slug": "textilreinigung-frischfaser",
        "category": "Dienstleistung",
        "street": "Gartenstraße 9",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593997,
        "lon": 7.142861,
        "opening_hours": "Mo–Fr 8–18, Sa 9–13 Uhr",
        "description": (
            "Reinigung von Anzügen, Mänteln und Bettwaren, auf Wunsch mit Expressservice."
        ),
        "website": "",
    },
    {
        "name": "Fotostudio Blende 8",
        "slug": "fotostudio-blende-8",
        "category": "Dienstleistung",
        "street": "Marktplatz 8",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595350,
        "lon": 7.141700,
        "opening_hours": "Di–Fr 10–18, Sa 10–14 Uhr",
        "description": (
            "Passbilder in wenigen Minuten, Familienporträts und Bewerbungsfotos "
            "in entspannter Atmosphäre."
        ),
        "website": "https://blende-acht.example.test",
    },
    # --- Soziale Einrichtung ------------------------------------------------
    {
        "name": "Stadtteilbüro Treffpunkt Mitte",
        "slug": "stadtteilbuero-treffpunkt-mitte",
        "category": "Soziale Einrichtung",
        "street": "Antoniusstraße 2",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.595063,
        "lon": 7.142212,
        "opening_hours": "Mo–Do 9–16, Fr 9–12 Uhr",
        "description": (
            "Anlaufstelle für Fragen rund um das Leben in der Innenstadt, mit "
            "offenem Café, Beratung und Raum für Nachbarschaftsinitiativen."
        ),
        "website": "https://treffpunkt-mitte.example.test",
    },
    {
        "name": "Tafel-Laden Brotkorb",
        "slug": "tafel-laden-brotkorb",
        "category": "Soziale Einrichtung",
        "street": "Gartenstraße 15",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.593760,
        "lon": 7.143619,
        "opening_hours": "Di, Do 10–13 Uhr",
        "description": (
            "Ehrenamtliche geben gespendete Lebensmittel an Menschen mit wenig "
            "Geld weiter. Helfende Hände sind jederzeit willkommen."
        ),
        "website": "",
    },
    {
        "name": "Familienzentrum Pusteblume",
        "slug": "familienzentrum-pusteblume",
        "category": "Soziale Einrichtung",
        "street": "Blumenstraße 20",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.596779,
        "lon": 7.141905,
        "opening_hours": "Mo–Fr 8–16 Uhr",
        "description": (
            "Eltern-Kind-Gruppen, Familienberatung und ein offener Spieltreff – "
            "ein Ort zum Ankommen für Familien aus der Innenstadt."
        ),
        "website": "https://pusteblume-familien.example.test",
    },
]


# ---------------------------------------------------------------------------
# Rally terms and prizes
# ---------------------------------------------------------------------------

# The office's own text of the rules, in Markdown. Organiser, dates, the prizes with their
# donors and how long entry data is kept are not in it: the rules page shows them from
# the rally's data and the settings, above this text.
RALLY_RULES: Final[str] = (
    "## 1. Veranstalter\n\n"
    "Die Advents-Rallye veranstaltet die Stadt Herten, durchgeführt vom "
    "Nutzungsmanagement Innenstadt. Anschrift und Kontakt stehen oben unter „Auf einen "
    "Blick“. Bei Fragen erreichst du uns telefonisch oder per E-Mail.\n\n"
    "## 2. Wer mitmachen darf\n\n"
    "Mitmachen kannst du, wenn du mindestens 16 Jahre alt bist. Bist du noch keine 18, "
    "brauchst du das Einverständnis deiner Eltern oder Erziehungsberechtigten. Die "
    "Teilnahme ist kostenlos und an keinen Einkauf gebunden.\n\n"
    "Nicht teilnehmen dürfen:\n\n"
    "- die Beschäftigten des Nutzungsmanagements Innenstadt und alle, die an der "
    "Organisation der Rallye beteiligt sind,\n"
    "- Inhaberinnen, Inhaber und Beschäftigte der teilnehmenden Geschäfte und "
    "Einrichtungen.\n\n"
    "## 3. So funktioniert die Rallye\n\n"
    "In jedem teilnehmenden Geschäft hängt ein QR-Code. Scanne ihn mit deinem Handy und "
    "tippe auf „Stempel einsammeln“, oder gib den Code vom Plakat auf der Seite „Code "
    "eintippen“ ein. Jedes Geschäft stempelt deine Karte einmal. Stempeln kannst du im "
    "oben genannten Aktionszeitraum.\n\n"
    "## 4. Teilnahme an der Verlosung\n\n"
    "Sobald deine Karte genug Stempel hat, trägst du dich mit deinem Namen und einer "
    "E-Mail-Adresse oder Telefonnummer für die Verlosung ein, bis zum Teilnahmeschluss. "
    "Jede Person kann nur einmal teilnehmen, mit einer Karte und einer Kontaktangabe.\n\n"
    "## 5. Die Ziehung\n\n"
    "Wir ziehen die Gewinnerinnen und Gewinner am oben genannten Termin unter allen "
    "gültigen Teilnahmen, mit einem öffentlich nachprüfbaren Zufallsverfahren: Vor der "
    "Ziehung versiegeln wir den Lostopf und veröffentlichen einen Fingerabdruck des "
    "Zufallswerts, danach den Zufallswert selbst. So kann jede und jeder auf der Seite "
    "[Ziehungen](/ziehungen) nachrechnen, dass niemand das Ergebnis beeinflusst hat. "
    "Veröffentlicht werden nur Kartennummern, keine Namen.\n\n"
    "## 6. Die Preise\n\n"
    "Verlost werden die oben aufgeführten Preise. Eine Auszahlung in bar oder ein Umtausch "
    "ist nicht möglich. Für Mängel eines Sachpreises ist das Geschäft zuständig, das ihn "
    "gestiftet hat.\n\n"
    "## 7. Benachrichtigung und Abholung\n\n"
    "Wie wir Gewinnerinnen und Gewinner benachrichtigen, steht oben. Hol deinen Gewinn bis "
    "zur oben genannten Frist ab, mit deiner Kartennummer. Danach verfällt er, und wir "
    "können ihn in einer neuen Ziehung verlosen.\n\n"
    "## 8. Datenschutz\n\n"
    "Deine Angaben nutzen wir nur für die Verlosung. Wann wir sie löschen, steht oben; "
    "alles Weitere in den [Datenschutzhinweisen](/datenschutz).\n\n"
    "## 9. Ausschluss\n\n"
    "Wer die Rallye manipuliert, zum Beispiel mit weitergegebenen oder kopierten QR-Codes "
    "ohne Besuch des Geschäfts, mit technischen Tricks oder mit mehreren Teilnahmen unter "
    "verschiedenen Namen oder Kontaktangaben, wird ausgeschlossen. Ein schon vergebener "
    "Gewinn kann dann zurückgefordert werden.\n\n"
    "## 10. Haftung\n\n"
    "Wir bemühen uns, dass die Rallye-Seite jederzeit erreichbar ist und fehlerfrei "
    "funktioniert, können das aber nicht garantieren. Für technische Störungen, verlorene "
    "Stempel oder nicht zugestellte Nachrichten haften wir nur bei Vorsatz oder grober "
    "Fahrlässigkeit.\n\n"
    "## 11. Schlussbestimmungen\n\n"
    "Wir dürfen die Rallye aus wichtigem Grund ändern, unterbrechen oder vorzeitig beenden, "
    "etwa bei technischen Problemen oder Missbrauch. Sollte eine dieser Bestimmungen "
    "unwirksam sein, bleiben die übrigen gültig.\n\n"
    "*Diese Teilnahmebedingungen gehören zur Demo-Version der Advents-Rallye und dienen "
    "als Beispiel.*"
)


class PrizeData(TypedDict):
    """One prize of the demo draw: its name, the donating shop's slug (or ""), a line."""

    name: str
    donor: str
    description: str


RALLY_PRIZES: Final[list[PrizeData]] = [
    {"name": "Einkaufsgutschein über 100 € für die Innenstadt", "donor": "",
     "description": "einlösbar in allen teilnehmenden Geschäften"},
    {"name": "Einkaufsgutschein über 50 € für die Innenstadt", "donor": "",
     "description": "einlösbar in allen teilnehmenden Geschäften"},
    {"name": "Einkaufsgutschein über 25 € für die Innenstadt", "donor": "",
     "description": "einlösbar in allen teilnehmenden Geschäften"},
    {"name": "Frühstück für zwei Personen im Café Kornblume", "donor": "cafe-kornblume",
     "description": "im Wert von 35 €"},
    {"name": "Buchgutschein über 30 € von der Buchhandlung Lesezeichen",
     "donor": "buchhandlung-lesezeichen", "description": ""},
    {"name": "Adventskorb mit Leckereien aus den Feinkostgeschäften der Innenstadt",
     "donor": "feinkost-olivenzweig", "description": "im Wert von etwa 40 €"},
    {"name": "Handgefertigter Silberanhänger aus der Goldschmiede Ringel",
     "donor": "goldschmiede-ringel", "description": "ein Einzelstück"},
    {"name": "Gutschein für einen Haarschnitt im Friseursalon Scherenschnitt",
     "donor": "friseursalon-scherenschnitt", "description": ""},
    {"name": "Familien-Spielepaket von Spielwaren Kreisel", "donor": "spielwaren-kreisel",
     "description": "drei Brett- und Kartenspiele"},
    {"name": "Teeverkostung für vier Personen in der Teestube Kandiszucker",
     "donor": "teestube-kandiszucker", "description": ""},
]

# How the demo's winners hear of their prize (the rally's "winners_notice").
RALLY_WINNERS_NOTICE: Final[str] = (
    "Wer gewinnt, bekommt innerhalb einer Woche nach der Ziehung eine E-Mail oder einen "
    "Anruf, je nachdem, was bei der Teilnahme angegeben wurde. Die Gewinne gibt es im Büro "
    "des Nutzungsmanagements Innenstadt, Hermannstraße 16, Montag bis Donnerstag."
)


class AdventDoorData(TypedDict):
    """One door of the demo's Advent calendar: the featured shop's slug, title, Markdown
    text, offer of the day, and whether the day has a daily draw."""

    shop: str
    title: str
    body: str
    offer: str
    daily_draw: bool


# Door n opens on the demo rally's n-th day; every door features another demo shop.
ADVENT_DOORS_DEMO: Final[list[AdventDoorData]] = [
    {"shop": "papeterie-federkiel", "title": "Post für die Liebsten",
     "body": "Die Papeterie Federkiel hat Karten aus Recyclingpapier, Siegellack und "
             "Füller zum Ausprobieren. **Wer schreibt, bleibt in Erinnerung.**",
     "offer": "10 % auf Weihnachtskarten", "daily_draw": True},
    {"shop": "baeckerei-kruemel-korn", "title": "Frisch aus dem Ofen",
     "body": "Um sieben Uhr früh duftet die ganze Hermannstraße nach Zimtsternen. In der "
             "Bäckerei Krümel & Korn wird noch von Hand ausgestochen.",
     "offer": "Eine Tüte Zimtsterne zum halben Preis", "daily_draw": False},
    {"shop": "buchhandlung-lesezeichen", "title": "Geschichten für lange Abende",
     "body": "Das Team der Buchhandlung Lesezeichen empfiehlt jeden Tag ein Buch für die "
             "Adventszeit – für Kinder und für Erwachsene.\n\nBücher werden auf Wunsch "
             "kostenlos eingepackt.",
     "offer": "Ein Lesezeichen aus Holz zu jedem Buch", "daily_draw": False},
    {"shop": "cafe-kornblume", "title": "Eine Pause im Trubel",
     "body": "Im Café Kornblume gibt es heute Bratapfelkuchen mit Vanillesoße. Ein "
             "Fensterplatz mit Blick auf den Markt ist meistens frei.",
     "offer": "Ein Heißgetränk gratis zu jedem Stück Kuchen", "daily_draw": False},
    {"shop": "spielwaren-kreisel", "title": "Spielen wie früher",
     "body": "Kreisel, Murmeln, Holzeisenbahn: Bei Spielwaren Kreisel darf alles "
             "ausprobiert werden, bevor es unter den Baum kommt.",
     "offer": "15 % auf Holzspielzeug", "daily_draw": True},
    {"shop": "geschenkestube-sternschnuppe", "title": "Nikolaus ist da",
     "body": "Heute ist Nikolaustag! In der Geschenkestube Sternschnuppe wartet für jedes "
             "Kind, das seinen Stempel holt, eine kleine Überraschung.",
     "offer": "Ein Schokoladen-Nikolaus für jedes Kind", "daily_draw": False},
    {"shop": "teestube-kandiszucker", "title": "Tee gegen die Kälte",
     "body": "Über 80 Sorten, von Rooibos mit Orange bis Winterpunsch ohne Alkohol. Die "
             "Teestube Kandiszucker lässt dich gern probieren.",
     "offer": "100 g Wintertee zum Preis von 50 g", "daily_draw": False},
    {"shop": "goldschmiede-ringel", "title": "Ein Stück, das bleibt",
     "body": "In der Goldschmiede Ringel entstehen Ringe und Anhänger in der Werkstatt "
             "hinter dem Laden. Heute kannst du beim Sägen und Löten zuschauen.",
     "offer": "Gravur gratis bei jedem Kauf", "daily_draw": False},
    {"shop": "naturkosmetik-lavendelhof", "title": "Duft nach Lavendel",
     "body": "Seifen, Cremes und Badesalz aus eigener Herstellung – ohne Mikroplastik und "
             "schön verpackt.",
     "offer": "Eine Probiergröße Handcreme zu jedem Einkauf", "daily_draw": False},
    {"shop": "feinkost-olivenzweig", "title": "Für die Festtafel",
     "body": "Oliven, eingelegtes Gemüse und Olivenöl direkt vom Erzeuger: Im Feinkost "
             "Olivenzweig stellst du dir deinen eigenen Präsentkorb zusammen.",
     "offer": "10 % auf Präsentkörbe", "daily_draw": True},
    {"shop": "galerie-farbtupfer", "title": "Kunst aus der Stadt",
     "body": "Die Galerie Farbtupfer zeigt im Advent Bilder von Künstlerinnen und "
             "Künstlern aus Herten. Postkarten der Werke gibt es auch.",
     "offer": "Drei Kunstpostkarten zum Preis von zwei", "daily_draw": False},
    {"shop": "kaeseladen-laib-rinde", "title": "Käse für das Raclette",
     "body": "Der Käseladen Laib & Rinde hat die Raclette-Saison eröffnet. Lass dir "
             "erklären, welcher Käse am besten schmilzt.",
     "offer": "Ein Probierteller für zwei Personen", "daily_draw": False},
    {"shop": "fotostudio-blende-8", "title": "Ein Foto für die Familie",
     "body": "Das Fotostudio Blende 8 macht heute Familienfotos vor dem Weihnachtsbaum – "
             "ohne Termin, solange der Vorrat an Geduld reicht.",
     "offer": "Ein Familienfoto als Abzug 13 × 18 gratis", "daily_draw": False},
    {"shop": "modehaus-fadenlauf", "title": "Warm eingepackt",
     "body": "Schals, Mützen und Handschuhe aus Wolle: Im Modehaus Fadenlauf ist die "
             "Winterkollektion da.",
     "offer": "20 % auf Schals und Mützen", "daily_draw": True},
    {"shop": "unverpackt-laden-tuetenlos", "title": "Weihnachten ohne Müll",
     "body": "Nüsse, Trockenobst und Gewürze für die Plätzchen – bring deine eigenen "
             "Gläser mit, im Unverpackt-Laden Tütenlos wird abgewogen.",
     "offer": "Ein Glas mit Backgewürz gratis ab 10 € Einkauf", "daily_draw": False},
    {"shop": "rahmenwerkstatt-goldleiste", "title": "Der passende Rahmen",
     "body": "Ein Foto, ein Kinderbild, eine alte Landkarte: In der Rahmenwerkstatt "
             "Goldleiste bekommt alles den Rahmen, den es verdient.",
     "offer": "Passepartout gratis zu jedem Rahmen", "daily_draw": False},
    {"shop": "eiscafe-waffelturm", "title": "Waffeln statt Eis",
     "body": "Im Winter backt das Eiscafé Waffelturm Waffeln mit heißen Kirschen. Eis "
             "gibt es trotzdem – für die Mutigen.",
     "offer": "Eine Waffel mit heißen Kirschen für 2 €", "daily_draw": False},
    {"shop": "uhrmacherei-unruh", "title": "Die Zeit läuft",
     "body": "Noch eine Woche bis Weihnachten. Die Uhrmacherei Unruh wechselt heute "
             "Batterien, während du wartest.",
     "offer": "Batteriewechsel für 5 €", "daily_draw": True},
    {"shop": "kindermode-puenktchen", "title": "Für die Kleinsten",
     "body": "Schlafanzüge mit Sternen, Strickjacken und Stiefel: Kindermode Pünktchen "
             "berät dich gern bei der richtigen Größe.",
     "offer": "10 % auf Winterjacken für Kinder", "daily_draw": False},
    {"shop": "fleischerei-rauchkammer", "title": "Der Festtagsbraten",
     "body": "Jetzt vorbestellen: Die Fleischerei Rauchkammer nimmt Bestellungen für die "
             "Feiertage bis zum 22. Dezember an.",
     "offer": "Ein Glas Bratensoße zu jeder Vorbestellung", "daily_draw": False},
    {"shop": "friseursalon-scherenschnitt", "title": "Schick für die Feiertage",
     "body": "Der Friseursalon Scherenschnitt hat an den letzten Tagen vor Weihnachten "
             "länger geöffnet. Termine gibt es auch kurzfristig.",
     "offer": "Eine Haarkur gratis zu jedem Haarschnitt", "daily_draw": True},
    {"shop": "stadtteilbuero-treffpunkt-mitte", "title": "Gemeinsam statt allein",
     "body": "Im Stadtteilbüro Treffpunkt Mitte wird heute gebastelt und gesungen. Alle "
             "sind willkommen, der Eintritt ist frei.",
     "offer": "Punsch und Plätzchen für alle Gäste", "daily_draw": False},
    {"shop": "schneiderei-nadeloehr", "title": "Noch schnell geändert",
     "body": "Das Festtagskleid ist zu lang, die Hose zu weit? Die Schneiderei Nadelöhr "
             "schafft kleine Änderungen bis Heiligabend.",
     "offer": "Eilzuschlag entfällt heute", "daily_draw": False},
    {"shop": "familienzentrum-pusteblume", "title": "Frohe Weihnachten!",
     "body": "Heute ist Heiligabend. Das Familienzentrum Pusteblume und alle Geschäfte "
             "der Innenstadt wünschen dir und deiner Familie frohe Weihnachten.\n\n"
             "Danke, dass du bei der Rallye mitgemacht hast!",
     "offer": "Eine Weihnachtsgeschichte zum Mitnehmen", "daily_draw": True},
]


# ---------------------------------------------------------------------------
# Appointments with the office
# ---------------------------------------------------------------------------

# The office's week for consultations: (weekday, opens, closes) in minutes since
# midnight, Monday (0) to Thursday, one adviser.
OFFICE_WEEK: Final[list[tuple[int, int, int]]] = [
    (weekday, opens, closes)
    for weekday in range(4)
    for opens, closes in ((9 * 60, 12 * 60), (13 * 60, 16 * 60))
]


class TopicData(TypedDict):
    """A topic one can book a consultation about, and the service page that leads to it."""

    slug: str
    name: str
    duration_minutes: int
    service: str


APPOINTMENT_TOPICS: Final[list[TopicData]] = [
    {"slug": "kurzberatung", "name": "Kurzberatung", "duration_minutes": 30,
     "service": "kurzberatung"},
    {"slug": "unternehmensnachfolge", "name": "Unternehmensnachfolge",
     "duration_minutes": 60, "service": "unternehmensnachfolge"},
    {"slug": "leerstand", "name": "Leerstand und Zwischennutzung", "duration_minutes": 30,
     "service": "leerstandsmanagement"},
    {"slug": "gruendung", "name": "Gründung und Finanzierung", "duration_minutes": 45,
     "service": "qualifizierung"},
    {"slug": "sonstiges", "name": "Sonstiges", "duration_minutes": 30,
     "service": "beratungstermine"},
]


class BookingPerson(TypedDict):
    """Who made a demo booking (invented)."""

    name: str
    email: str
    phone: str
    note: str


# Two demo requests: (topic slug, person), on the first free times after loading.
APPOINTMENT_DEMO_BOOKINGS: Final[list[tuple[str, BookingPerson]]] = [
    ("kurzberatung", {"name": "Jana Beispiel", "email": "jana.beispiel@example.org",
                      "phone": "", "note": "Ich überlege, mein Sortiment umzustellen."}),
    ("unternehmensnachfolge", {"name": "Klaus Mustermann",
                               "email": "klaus.mustermann@example.org",
                               "phone": "+49 2366 123456",
                               "note": "Mein Laden sucht ab 2028 eine Nachfolge."}),
]


class EventData(TypedDict):
    """A demo event: ``weekday`` and ``week`` (0 = the coming week) place it after today;
    ``start``/``end`` are local "HH:MM"; ``shop`` names a host by slug; ``series`` joins
    dates of one tour; ``weeks`` are further dates of the series."""

    kind: str
    title: str
    summary: str
    description: str
    week: int
    weekday: int
    start: str
    end: str
    place: str
    online_url: str
    shop: str
    service: str
    capacity: int
    audiences: list[str]
    series: str
    weeks: list[int]


EVENTS: Final[list[EventData]] = [
    {
        "kind": "networking", "title": "Netzwerkabend für Gründerinnen",
        "summary": "Ein entspannter Abend zum Kennenlernen, Austauschen und Mutmachen "
                   "für Frauen, die in der Innenstadt gegründet haben oder gründen wollen.",
        "description": (
            "Beim Netzwerkabend lernen Sie andere Gründerinnen und Unternehmerinnen aus "
            "der Herten Innenstadt kennen.\n\n"
            "- kurze Vorstellungsrunde\n- Impuls: *Sichtbar werden in der Innenstadt*\n"
            "- Zeit für Gespräche bei Getränken und einem kleinen Imbiss\n\n"
            "Die Teilnahme ist kostenlos."
        ),
        "week": 0, "weekday": 3, "start": "18:00", "end": "20:30",
        "place": "Innenstadtbüro, Hermannstraße 16, 45699 Herten", "online_url": "",
        "shop": "", "service": "netzwerk", "capacity": 20,
        "audiences": ["founders_women", "founders"], "series": "", "weeks": [],
    },
    {
        "kind": "workshop", "title": "Online-Präsenz für den Einzelhandel",
        "summary": "Google-Profil, Instagram und die eigene Website: was sich für kleine "
                   "Geschäfte lohnt und wie Sie mit wenig Zeit anfangen.",
        "description": (
            "Ein praxisnaher Workshop für Inhaberinnen und Inhaber von Geschäften.\n\n"
            "Bringen Sie gern Ihr Smartphone oder Notebook mit: Wir richten Ihr "
            "Unternehmensprofil gemeinsam ein.\n\n"
            "Referentin: Medienberaterin aus dem Kreis Recklinghausen."
        ),
        "week": 1, "weekday": 1, "start": "14:00", "end": "17:00",
        "place": "Innenstadtbüro, Hermannstraße 16, 45699 Herten", "online_url": "",
        "shop": "", "service": "qualifizierung", "capacity": 12,
        "audiences": ["retail"], "series": "", "weeks": [],
    },
    {
        "kind": "tour_onsite", "title": "Hinter den Kulissen: Buchhandlung Lesezeichen",
        "summary": "Wie eine unabhängige Buchhandlung einkauft, berät und Lesungen "
                   "organisiert: ein Rundgang mit der Inhaberin.",
        "description": (
            "Die Buchhandlung Lesezeichen öffnet ihre Türen: Sie sehen Lager, Büro und "
            "Veranstaltungsraum und erfahren, wie ein kleiner Laden gegen den "
            "Online-Handel besteht.\n\nDauer etwa 90 Minuten; anschließend Zeit für "
            "Fragen."
        ),
        "week": 0, "weekday": 2, "start": "16:00", "end": "17:30",
        "place": "", "online_url": "", "shop": "buchhandlung-lesezeichen",
        "service": "netzwerk", "capacity": 2,
        "audiences": ["founders", "retail"], "series": "fuehrung-lesezeichen",
        "weeks": [1],
    },
    {
        "kind": "tour_digital", "title": "Digitale Führung: Ein Tag in der Goldschmiede",
        "summary": "Live aus der Werkstatt: Wie aus einer Idee ein Schmuckstück wird. "
                   "Per Videoschalte, Fragen im Chat.",
        "description": (
            "Eine Führung per Videoschalte: Die Goldschmiedin zeigt ihre Werkstatt und "
            "erzählt, wie sie ihr Geschäft in der Innenstadt aufgebaut hat.\n\n"
            "Den Zugangslink schicken wir Ihnen mit der Bestätigung Ihrer Anmeldung."
        ),
        "week": 1, "weekday": 3, "start": "17:00", "end": "18:00",
        "place": "", "online_url": "https://video.innenstadt-herten.example/fuehrung-goldschmiede",
        "shop": "", "service": "netzwerk", "capacity": 30,
        "audiences": ["founders"], "series": "", "weeks": [],
    },
    {
        "kind": "info", "title": "Infoabend Zwischennutzung leerer Ladenlokale",
        "summary": "Wie Pop-up-Läden und Zwischennutzungen in Herten funktionieren: "
                   "Verträge, Kosten, Erfahrungen.",
        "description": "Eigentümer, Gründerinnen und Gründer berichten von ihren "
                       "Erfahrungen mit Zwischennutzungen in der Innenstadt.",
        "week": -3, "weekday": 2, "start": "18:00", "end": "19:30",
        "place": "Innenstadtbüro, Hermannstraße 16, 45699 Herten", "online_url": "",
        "shop": "", "service": "leerstandsmanagement", "capacity": 25,
        "audiences": ["owners", "founders"], "series": "", "weeks": [],
    },
]

# Registrations of the demo: (event index, name, e-mail, company, status, checked in).
EVENT_DEMO_REGISTRATIONS: Final[list[tuple[int, str, str, str, str, bool]]] = [
    (2, "Lea Sommer", "lea.sommer@example.org", "", "confirmed", False),
    (2, "Murat Demir", "murat.demir@example.org", "Café Demir", "confirmed", False),
    (2, "Sophie Brandt", "sophie.brandt@example.org", "", "waiting", False),
    (0, "Clara Hoffmann", "clara.hoffmann@example.org", "Atelier Hoffmann", "confirmed",
     False),
    (4, "Bernd Krüger", "bernd.krueger@example.org", "Krüger Immobilien", "confirmed", True),
    (4, "Ayse Kaya", "ayse.kaya@example.org", "", "confirmed", True),
    (4, "Jonas Weber", "jonas.weber@example.org", "", "confirmed", False),
]


class NewsData(TypedDict):
    """A demo news post: ``days_ago`` dates it before the demo's loading."""

    title: str
    summary: str
    body: str
    days_ago: int


# The office's news in the demo, newest first (plain German for the town's businesses).
NEWS: Final[list[NewsData]] = [
    {
        "title": "Die Advents-Rallye hat begonnen",
        "summary": "40 Geschäfte der Innenstadt machen mit. Machen Sie Ihre Kundschaft auf "
                   "den QR-Code im Schaufenster aufmerksam.",
        "body": (
            "Seit heute läuft die Advents-Rallye. Wer in den teilnehmenden Geschäften "
            "den QR-Code scannt, sammelt Stempel und kann ab zehn Stempeln an der "
            "Verlosung teilnehmen.\n\n"
            "## Was Sie als Geschäft tun können\n\n"
            "- Hängen Sie das Plakat gut sichtbar ins Schaufenster oder an die Kasse.\n"
            "- Sprechen Sie Ihre Kundschaft an: Eine App braucht niemand.\n"
            "- Ist Ihr Plakat beschädigt, drucken wir Ihnen gern ein neues.\n\n"
            "Fragen beantworten wir montags bis donnerstags unter 02366 9360621."
        ),
        "days_ago": 0,
    },
    {
        "title": "Neue Workshop-Termine für den Einzelhandel",
        "summary": "Online-Präsenz, Schaufenstergestaltung und Kassensysteme: Im neuen Jahr "
                   "bieten wir wieder kostenlose Workshops an.",
        "body": (
            "Die Workshops sind kostenlos und dauern jeweils drei Stunden. Sie finden im "
            "Innenstadtbüro in der Hermannstraße 16 statt.\n\n"
            "## Die Themen\n\n"
            "- **Online-Präsenz**: Google-Profil, Instagram und die eigene Website\n"
            "- **Schaufenster**: mit wenig Geld mehr Blicke\n"
            "- **Kassensysteme**: was die neuen Regeln für Sie bedeuten\n\n"
            "Die Termine und die Anmeldung finden Sie unter "
            "[Veranstaltungen](/veranstaltungen)."
        ),
        "days_ago": 6,
    },
    {
        "title": "Zwischennutzung: So mieten Sie ein leeres Ladenlokal günstig",
        "summary": "Mit dem Programm zur Zwischennutzung mietet die Stadt leere Läden an und "
                   "gibt sie für bis zu zwei Jahre günstig weiter.",
        "body": (
            "Sie möchten eine Geschäftsidee in der Innenstadt ausprobieren? Mit dem "
            "Programm zur Zwischennutzung mietet die Stadt leer stehende Ladenlokale an "
            "und vermietet sie an Gründerinnen, Gründer und Geschäfte weiter.\n\n"
            "## Die Bedingungen\n\n"
            "- Die Stadt mietet zu höchstens 70 % der früheren Miete.\n"
            "- Sie zahlen 20 % dieser Miete, für bis zu zwei Jahre.\n"
            "- Das Ladenlokal liegt im Erdgeschoss im Kern der Innenstadt und ist "
            "höchstens 300 m² groß.\n\n"
            "Wir beraten Sie gern persönlich. Vereinbaren Sie einfach einen "
            "[Termin](/termine)."
        ),
        "days_ago": 20,
    },
]


class SuccessorData(TypedDict):
    """A demo successor profile; the owner's details are fictitious and never public."""

    title: str
    sector: str
    employees: str
    sales_area: str
    area: str
    timeline: str
    description: str
    status: str
    owner_name: str
    owner_email: str
    owner_phone: str
    internal_note: str


# The Nachfolgebörse: three published profiles and one draft.
SUCCESSOR_PROFILES: Final[list[SuccessorData]] = [
    {
        "title": "Traditionsbäckerei mit Café in der Fußgängerzone",
        "sector": "food", "employees": "6_10", "sales_area": "50_100",
        "area": "innenstadt", "timeline": "1_2_years",
        "description": "Seit drei Generationen in Familienhand, mit Backstube im Haus und "
                       "einem kleinen Café mit 20 Plätzen.\n\n"
                       "- treue Stammkundschaft, Lieferungen an zwei Kitas\n"
                       "- eingearbeitetes Team, das gern bleibt\n"
                       "- Räume gemietet, Vermieter offen für einen neuen Vertrag",
        "status": "published", "owner_name": "Heinrich Beispielbäcker",
        "owner_email": "h.beispielbaecker@example.org", "owner_phone": "02366 555 0101",
        "internal_note": "Inhaber möchte zuerst mit Interessenten aus dem Handwerk sprechen.",
    },
    {
        "title": "Modegeschäft für Damen und Herren",
        "sector": "retail", "employees": "2_5", "sales_area": "100_250",
        "area": "mitte", "timeline": "now",
        "description": "Etabliertes Geschäft für Damen- und Herrenmode mit eigenem "
                       "Änderungsservice. Ware, Einrichtung und Kassensystem können "
                       "übernommen werden.",
        "status": "published", "owner_name": "Gisela Musterfrau",
        "owner_email": "gisela.musterfrau@example.org", "owner_phone": "0170 5550102",
        "internal_note": "Übergabe auch schrittweise möglich; Ladenlokal Eigentum.",
    },
    {
        "title": "Augenoptik mit Werkstatt und Kontaktlinsenanpassung",
        "sector": "health", "employees": "2_5", "sales_area": "under_50",
        "area": "westerholt", "timeline": "3_5_years",
        "description": "Meisterbetrieb mit moderner Refraktion, Werkstatt und "
                       "Kontaktlinsenanpassung. Gesucht wird eine Augenoptikerin oder ein "
                       "Augenoptiker mit Meistertitel.",
        "status": "published", "owner_name": "Peter Beispieloptiker",
        "owner_email": "optik.beispiel@example.org", "owner_phone": "02366 555 0103",
        "internal_note": "Steuerberater begleitet, Bewertung liegt vor.",
    },
    {
        "title": "Fahrradwerkstatt mit Verkauf",
        "sector": "crafts", "employees": "1", "sales_area": "50_100",
        "area": "paschenberg", "timeline": "1_2_years",
        "description": "Reparatur, Verkauf und Verleih von Fahrrädern und E-Bikes.",
        "status": "draft", "owner_name": "Frank Entwurfmann",
        "owner_email": "frank.entwurf@example.org", "owner_phone": "",
        "internal_note": "Noch nicht veröffentlichen: Inhaber prüft den Text.",
    },
]


class ListingData(TypedDict, total=False):
    """A demo empty space; the owner's details are fictitious and never public."""

    title: str
    street: str
    latitude: float
    longitude: float
    area_m2: int
    frontage_m: float
    floor: int
    rent_cents: int | None
    service_charge_cents: int | None
    available_in_days: int | None
    temporary_use: bool
    temporary_min_months: int | None
    temporary_max_months: int | None
    rent_model: str
    uses: list[str]
    description: str
    status: str
    source: str
    owner_name: str
    owner_email: str
    owner_phone: str
    internal_note: str
    photo: tuple[str, str, str]  # facade colour, window colour, alt text
    confirmed_days_ago: int


# The Leerstandsbörse: three published spaces near the office (one in the town's
# programme), one owner's offer waiting for review.
LISTINGS: Final[list[ListingData]] = [
    {
        "title": "Ladenlokal mit großem Schaufenster", "street": "Ewaldstraße 18",
        "latitude": 51.59702, "longitude": 7.14129, "area_m2": 85, "frontage_m": 7.5,
        "floor": 0, "rent_cents": 59000, "service_charge_cents": 12000,
        "available_in_days": None, "temporary_use": True, "temporary_min_months": 6,
        "temporary_max_months": 24, "rent_model": "programme",
        "uses": ["retail", "popup", "services"],
        "description": "Heller Verkaufsraum in der Fußgängerzone, bis 2024 eine "
                       "Buchhandlung.\n\n- Lager und Teeküche\n- stufenloser Eingang",
        "status": "published", "source": "office", "owner_name": "Hertener Grund GmbH",
        "owner_email": "vermietung@hertener-grund.example", "owner_phone": "02366 4711",
        "internal_note": "Eigentümer einverstanden mit Förderprogramm (70 % Anmietung).",
        "photo": ("#c9a27a", "#8fb3c9",
                  "Schaufenster eines leeren Ladenlokals mit heller Fassade"),
        "confirmed_days_ago": 5,
    },
    {
        "title": "Ehemaliges Café am Markt", "street": "Antoniusstraße 7",
        "latitude": 51.59561, "longitude": 7.14402, "area_m2": 120, "frontage_m": 9.0,
        "floor": 0, "rent_cents": None, "service_charge_cents": None,
        "available_in_days": 45, "temporary_use": False, "temporary_min_months": None,
        "temporary_max_months": None, "rent_model": "market",
        "uses": ["hospitality", "food"],
        "description": "Gastraum mit Küche und Terrasse zum Markt. Die Küche ist teils "
                       "noch eingerichtet.",
        "status": "published", "source": "office", "owner_name": "Ute Marktmann",
        "owner_email": "ute.marktmann@example.org", "owner_phone": "0170 5550123",
        "internal_note": "Frau Marktmann möchte nur langfristig vermieten.",
        "photo": ("#9b5d4b", "#d9c7a0", "Fassade des früheren Cafés mit Markise"),
        "confirmed_days_ago": 70,
    },
    {
        "title": "Kleines Büro über der Passage", "street": "Kaiserstraße 3",
        "latitude": 51.59688, "longitude": 7.14517, "area_m2": 42, "floor": 1,
        "rent_cents": 38000, "service_charge_cents": 9000, "available_in_days": None,
        "temporary_use": True, "temporary_min_months": 3, "temporary_max_months": 12,
        "rent_model": "reduced", "uses": ["office", "culture", "crafts"],
        "description": "Zwei Räume im ersten Stock, Zugang über das Treppenhaus der "
                       "Passage.",
        "status": "published", "source": "office", "owner_name": "Paul Passagier",
        "owner_email": "p.passagier@example.org", "owner_phone": "",
        "internal_note": "",
        "photo": ("#6f7f8c", "#e8e1cf", "Fenster eines Büros im ersten Stock"),
        "confirmed_days_ago": 20,
    },
    {
        "title": "Laden in der Kirchstraße", "street": "Kirchstraße 22",
        "area_m2": 60, "floor": 0, "rent_cents": 45000, "service_charge_cents": None,
        "available_in_days": 30, "temporary_use": True, "temporary_min_months": None,
        "temporary_max_months": None, "rent_model": "market", "uses": ["retail"],
        "description": "Früher ein Schuhgeschäft. Fotos folgen nach dem Besuch.",
        "status": "submitted", "source": "owner", "owner_name": "Heike Hermann",
        "owner_email": "heike.hermann@example.org", "owner_phone": "02366 98765",
        "internal_note": "", "confirmed_days_ago": 0,
    },
]


class SearchProfileData(TypedDict):
    """A demo founder's search profile (fictitious)."""

    name: str
    email: str
    phone: str
    min_area_m2: int
    max_area_m2: int
    max_rent_cents: int
    temporary_only: bool
    uses: list[str]
    message: str


# One founder's search profile.
SEARCH_PROFILE: Final[SearchProfileData] = {
    "name": "Lea Gründerin", "email": "lea.gruenderin@example.org", "phone": "",
    "min_area_m2": 50, "max_area_m2": 150, "max_rent_cents": 80000,
    "temporary_only": True, "uses": ["retail", "popup"],
    "message": "Unverpackt-Laden mit kleinem Café, erst einmal zur Probe.",
}


# Staff's own translations in the demo: the first demo event and door 1 (the day the demo
# rally starts), in English and Turkish, so that the other languages show them. Keyed by
# the event's title and the door's number; the other fields stay German (with the note).
TRANSLATED_EVENT_TITLE: Final = "Netzwerkabend für Gründerinnen"
TRANSLATED_DOOR_NUMBER: Final = 1
TRANSLATIONS_DEMO: Final[dict[str, dict[str, dict[str, str]]]] = {
    "event": {
        "en": {"title": "Networking evening for women founders",
               "summary": "A relaxed evening to meet, share and encourage each other, for "
                          "women who have founded a business in the town centre or want "
                          "to."},
        "tr": {"title": "Kadın girişimciler için tanışma akşamı",
               "summary": "Şehir merkezinde iş kurmuş ya da kurmak isteyen kadınlar için "
                          "tanışma, fikir alışverişi ve cesaretlendirme akşamı."},
    },
    "door": {
        "en": {"title": "Post for your loved ones",
               "body": "Papeterie Federkiel has cards made of recycled paper, sealing wax "
                       "and fountain pens to try out. **Those who write are remembered.**",
               "offer": "10 % off Christmas cards"},
        "tr": {"title": "Sevdiklerinize mektup",
               "body": "Papeterie Federkiel'de geri dönüştürülmüş kağıttan kartlar, mühür "
                       "mumu ve denemek için dolma kalemler var. **Yazan hatırlanır.**",
               "offer": "Yılbaşı kartlarında %10 indirim"},
    },
}


# ---------------------------------------------------------------------------
# The needs survey of the town's businesses (Bedarfsabfrage, issue 23)
# ---------------------------------------------------------------------------


class SurveyQuestionData(TypedDict):
    """One question of the demo survey; ``choices`` for one/many, empty otherwise."""

    page: int
    kind: str  # one, many, scale, short, long
    prompt: str
    help: str
    required: bool
    choices: list[str]


SURVEY_SLUG: Final[str] = "bedarfsabfrage-innenstadt"
SURVEY_TITLE: Final[str] = "Bedarfsabfrage Innenstadt"
SURVEY_INTRO: Final[str] = (
    "Um ein passgenaues Konzept für die Hertener Innenstadt zu entwickeln, möchten wir "
    "wissen, was Ihr Geschäft braucht: online, vor der Tür und im Miteinander der "
    "Innenstadt.\n\n"
    "Die Umfrage hat acht Fragen auf zwei Seiten und dauert etwa zehn Minuten. Ihre "
    "Antworten werden anonym ausgewertet; die Ergebnisse stellen wir im Frühjahr beim "
    "Innenstadt-Stammtisch vor."
)
SURVEY_CONSENT: Final[str] = (
    "Ich bin einverstanden, dass das Nutzungsmanagement Innenstadt meine E-Mail-Adresse, "
    "den Namen meines Unternehmens und meine Antworten für diese Umfrage speichert. Die "
    "Adresse dient nur dem persönlichen Link und wird drei Monate nach dem Ende der "
    "Umfrage gelöscht; die Antworten gehen anonym in die Auswertung ein. Ich kann meine "
    "Einwilligung jederzeit per E-Mail an " + OFFICE_EMAIL + " widerrufen."
)
SURVEY_WEEKS: Final[int] = 4

SURVEY_QUESTIONS: Final[list[SurveyQuestionData]] = [
    {"page": 1, "kind": "one", "required": True,
     "prompt": "Wie ist Ihr Geschäft online zu finden?",
     "help": "Website, Online-Shop, Instagram, Facebook, Google-Eintrag …",
     "choices": ["Eigene Website und soziale Medien", "Nur eine eigene Website",
                 "Nur soziale Medien", "Bisher gar nicht"]},
    {"page": 1, "kind": "one", "required": True,
     "prompt": "Passen die Öffnungszeiten der Innenstadt zu Ihrer Kundschaft?",
     "help": "",
     "choices": ["Ja, so wie sie sind", "Gemeinsame Kernzeiten wären wichtig",
                 "Länger am Abend, zumindest an einem Tag", "Mehr am Samstag"]},
    {"page": 1, "kind": "one", "required": True,
     "prompt": "Was hindert Ihre Kundschaft am meisten, in die Innenstadt zu kommen?",
     "help": "Parken und Erreichbarkeit",
     "choices": ["Nichts, die Innenstadt ist gut erreichbar",
                 "Zu wenige Parkplätze in der Nähe", "Parkgebühren",
                 "Bus und Bahn fahren zu selten", "Zu wenige Abstellplätze für Räder"]},
    {"page": 1, "kind": "one", "required": False,
     "prompt": "Wie oft sollte es Veranstaltungen in der Innenstadt geben?",
     "help": "Märkte, Aktionstage, verkaufsoffene Abende",
     "choices": ["Jeden Monat", "Jedes Vierteljahr", "Zu den großen Festen im Jahr",
                 "Seltener als heute"]},
    {"page": 2, "kind": "one", "required": False,
     "prompt": "Wie stark spüren Sie leere Ladenlokale in Ihrer Nähe?",
     "help": "",
     "choices": ["Gar nicht, in meiner Nähe steht nichts leer", "Ein wenig",
                 "Deutlich", "Sehr, in meiner Straße stehen mehrere Läden leer"]},
    {"page": 2, "kind": "many", "required": False,
     "prompt": "Zu welchen Themen wünschen Sie sich Schulungen?",
     "help": "Mehrere Antworten möglich",
     "choices": ["Website und Online-Shop", "Soziale Medien",
                 "Kassensysteme und bargeldloses Zahlen", "Schaufenster und Ladengestaltung",
                 "Nachfolge und Übergabe", "Förderprogramme"]},
    {"page": 2, "kind": "scale", "required": True,
     "prompt": "Wie zufrieden sind Sie insgesamt mit der Innenstadt als Standort?",
     "help": "1 = gar nicht zufrieden, 5 = sehr zufrieden", "choices": []},
    {"page": 2, "kind": "long", "required": False,
     "prompt": "Was wünschen Sie sich vom Innenstadtbüro?",
     "help": "Ideen, Sorgen, Lob – alles hilft uns weiter.", "choices": []},
]


class SurveyAnswersData(TypedDict):
    """One demo shop's answers, in question order: a choice's number (1-based), the
    numbers of several choices, a scale value, or a text; None: left out."""

    shop: str
    answers: list[int | list[int] | str | None]


SURVEY_ANSWERS: Final[list[SurveyAnswersData]] = [
    {"shop": "modehaus-fadenlauf",
     "answers": [1, 2, 2, 1, 3, [2, 4], 3,
                 "Eine gemeinsame Aktion gegen die leeren Schaufenster in der Ewaldstraße."]},
    {"shop": "buchhandlung-lesezeichen",
     "answers": [2, 1, 4, 3, 2, [2], 4,
                 "Mehr Lesungen und Kulturabende, gern gemeinsam mit der Stadtbibliothek."]},
    {"shop": "cafe-kornblume",
     "answers": [3, 3, 2, 1, 2, [1, 3], 4,
                 "Mehr Sitzplätze und Grün auf dem Marktplatz, dann bleiben die Leute länger."]},
    {"shop": "baeckerei-kruemel-korn",
     "answers": [4, 1, 2, None, 1, [3], 3,
                 "Kurzzeitparkplätze direkt vor der Tür – für den schnellen Brötcheneinkauf."]},
    {"shop": "goldschmiede-ringel",
     "answers": [3, 2, 3, 2, 4, [1, 2, 5], 2,
                 "Hilfe bei der Suche nach einer Nachfolge in den nächsten Jahren."]},
    {"shop": "friseursalon-scherenschnitt",
     "answers": [3, 4, 2, 3, 2, [2], 4, ""]},
    {"shop": "feinkost-olivenzweig",
     "answers": [1, 3, 3, 1, 3, [1, 4, 6], 3,
                 "Ein gemeinsamer Online-Auftritt aller Geschäfte der Innenstadt mit "
                 "Öffnungszeiten und Angeboten."]},
    {"shop": "optik-linsenklar",
     "answers": [1, 2, 1, 3, 1, [6], 5, "Weiter so – die Rallye hat uns neue Kundschaft "
                                       "gebracht."]},
    {"shop": "reisebuero-kofferpacken",
     "answers": [2, 1, 4, 4, 3, [2, 3], 2,
                 "Bessere Busverbindungen aus den Stadtteilen, besonders am Samstag."]},
    {"shop": "spielwaren-kreisel",
     "answers": [4, 4, 5, 2, 4, [1, 2, 4], 3,
                 "Ein Familiennachmittag im Advent und sichere Abstellplätze für Räder und "
                 "Kinderwagen."]},
]

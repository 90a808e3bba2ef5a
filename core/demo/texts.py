"""Free texts of demo orders: installer notes and the extra-work and deviation reasons."""

IMPORTANT_NOTES = (
    "Hund på eiendommen, ring kunden før oppmøte.",
    "Måler står i låst kjeller. Nøkkel hos nabo i nr. {no}.",
    "Kunden er hørselshemmet, kontakt kun via SMS.",
    "Kunden ønsker å være til stede ved målerbytte.",
    "Adkomst via bakgården, port med kode 1234.",
    "Eldre kunde, ring pårørende på forhånd.",
    "Målerskap i garasje, ring 30 min før ankomst.",
)
DIFFICULT_NOTES = (
    "Sikringsskap på loftet, stige nødvendig.",
    "Trangt målerskap, kan kreve ombygging.",
    "Gammel måler med plombe som må brytes.",
    "Måler sitter høyt på vegg i kjeller.",
)
GENERAL_NOTES = (
    "Kunden ønsker å bli ringt før oppmøte.",
    "Fritidsbolig, kunden er sjelden til stede.",
    "Målerskap utvendig på husvegg.",
    "Ny kunde fra forrige måned.",
    "Kunden har solcelleanlegg.",
)
EXTRA_WORK = (
    "nytt sikringsskap", "utskifting av hovedsikring", "flytting av måler",
    "ny kabel til målerskap", "utbedring av jording",
)
DEVIATIONS = (
    "skadet plombe", "feil målernummer i KIS", "mulig strømtyveri", "farlig anlegg",
    "manglende merking av måler",
)
CUSTOMER_BUSINESSES = (
    "{last} Eiendom AS", "{last} Bakeri AS", "{town} Borettslag", "Sameiet {street} {no}",
    "{last} Bygg og Anlegg AS", "{town} kommune",
)

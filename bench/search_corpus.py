"""The labelled corpus of bench/search_quality.py: documents an agent network might hold, and
queries that each have one right answer, written so that words alone often miss it.

Kinds of query:
  paraphrase  the same meaning in other words ("auth token problem" -> "login credential expired")
  synonym     the document's key words swapped for synonyms
  transcript  the answer's text is only in its media description (a voice-note transcript or a
              screenshot's OCR), under a title that says nothing
  typo        the document's own key words, misspelt
  exact       the document's own words (keyword search's home ground)

Every document is a post, except those whose key starts with "c_": comments (under the first
post; search finds a comment by its own text).
"""

from __future__ import annotations

# key -> (title, content, media_description); keys starting with "c_" become comments.
DOCS: dict[str, tuple[str, str, str | None]] = {
    "login": ("Login credential expired", "Every morning my session is rejected and I have to sign in again.", None),
    "molt": ("Molting season", "The lobsters on the reef shed their shells this week.", None),
    "parser": ("Refactoring a parser", "I split the tokenizer from the grammar and the tests got faster.", None),
    "oom": ("Worker keeps dying", "The container is killed by the kernel when it runs out of memory at night.", None),
    "dns": ("Cannot reach the API", "Name resolution fails for our internal hostname since the router update.", None),
    "ratelimit": ("Too many requests", "The server answers 429 whenever I post more than once a minute.", None),
    "backup": ("Nightly copies", "We dump the database every night and keep thirty days of archives offsite.", None),
    "tz": ("Wrong times everywhere", "Every timestamp shows up five hours off because the server clock is UTC.", None),
    "flaky": ("Tests fail randomly", "Our integration suite passes locally but fails in CI one run out of five.", None),
    "leak": ("Memory grows forever", "The process uses more RAM every hour until it is restarted.", None),
    "deadlock": ("Two writers wait on each other", "Transactions lock rows in opposite order and both hang.", None),
    "cert": ("Browser warns about the site", "Our TLS certificate lapsed yesterday and nobody renewed it.", None),
    "disk": ("No space left", "The volume filled up with log files and the database stopped accepting writes.", None),
    "slowquery": (
        "Page takes ten seconds",
        "The listing query scans the whole table because an index is missing.",
        None,
    ),
    "cors": ("Frontend blocked", "The browser refuses the response because the allowed origin header is absent.", None),
    "merge": (
        "Git history tangled",
        "Two branches changed the same file and the conflict markers ended up committed.",
        None,
    ),
    "coffee": ("Morning ritual", "I grind the beans by hand and brew a pour-over before reading my inbox.", None),
    "sourdough": ("Bread experiment", "My starter finally rose and the loaf had a crisp crust and open crumb.", None),
    "marathon": ("Race report", "I finished the forty-two kilometres in just under four hours, legs destroyed.", None),
    "garden": (
        "Tomatoes at last",
        "The plants on the balcony gave their first ripe fruit after weeks of watering.",
        None,
    ),
    "cat": ("New family member", "We adopted a kitten from the shelter; she sleeps on the keyboard all day.", None),
    "chess": ("Lost in the endgame", "I had an extra rook and still let my opponent force a draw by repetition.", None),
    "guitar": ("Learning chords", "My fingertips hurt after practising barre chords for an hour every evening.", None),
    "rain": ("Weekend washed out", "It poured for three days so the hiking trip was cancelled.", None),
    "moving": ("New apartment", "We carried boxes up five floors because the building has no elevator.", None),
    "budget": ("Spending plan", "I track every expense in a spreadsheet and set aside a fifth of my salary.", None),
    "sleep": ("Always tired", "I wake up at three every night and cannot fall asleep again.", None),
    "diet": ("Eating less meat", "For a month I cooked only vegetarian meals and felt more energetic.", None),
    "vacation": ("Back from the coast", "Two weeks of swimming, seafood and reading on the beach.", None),
    "interview": ("Job hunt", "I had four rounds of interviews and finally received an offer yesterday.", None),
    "llm": ("Prompting tips", "Asking the model to think step by step improved its arithmetic answers.", None),
    "embedding": ("Finding similar notes", "I turned every note into a vector and look up neighbours by cosine.", None),
    "agentloop": ("My agent got stuck", "It kept calling the same tool in a loop and never produced an answer.", None),
    "context": (
        "Forgetting earlier turns",
        "Long conversations overflow the context window and early facts are lost.",
        None,
    ),
    "hallucination": (
        "Invented citations",
        "The assistant cited papers that do not exist with confident titles.",
        None,
    ),
    "finetune": (
        "Training on our docs",
        "We adapted a small model on support tickets and it answers in our tone.",
        None,
    ),
    "eval": ("Measuring answers", "We built a labelled set of questions to score each release of the bot.", None),
    "privacy": ("Personal data in logs", "User emails ended up in plain text in our request logs.", None),
    "energy": ("Power bill shock", "Electricity cost doubled this winter so we insulated the attic.", None),
    "solar": ("Panels on the roof", "The photovoltaic array now covers most of our daytime consumption.", None),
    "ev": ("Switched to electric", "Our new car charges overnight in the garage and costs little per kilometre.", None),
    "bike": ("Commuting by bicycle", "I ride twelve kilometres to the office; it is faster than the bus.", None),
    "train": ("Night train", "The sleeper from Vienna to Rome was late but the cabin was comfortable.", None),
    "volcano": ("Eruption nearby", "Ash from the volcano grounded every flight on the island.", None),
    "earthquake": ("The ground shook", "A magnitude five tremor woke the whole city at dawn.", None),
    "flood": ("River over its banks", "The water rose into the ground floors after a week of storms.", None),
    # transcripts and screenshots: the words are only in the media description
    "v_standup": (
        "voice note",
        "",
        "Transcript: quick update, the deploy to staging is blocked because the migration "
        "times out on the big table, I will split it into batches this afternoon.",
    ),
    "v_groceries": (
        "voice note",
        "",
        "Transcript: remember to buy oat milk, two lemons, rice and the dish soap we like.",
    ),
    "v_dentist": ("voice memo", "", "Transcript: my appointment for the tooth cleaning moved to Thursday at nine."),
    "v_birthday": ("audio", "", "Transcript: happy birthday grandma, we are all singing for you from the kitchen."),
    "v_bug": (
        "quick recording",
        "",
        "Transcript: the checkout button does nothing on phones, nothing in the console, probably the touch handler.",
    ),
    "s_buildfail": (
        "look at this",
        "",
        "Screenshot text: Build failed. error: exit code 2 in job compile, undefined reference to main.",
    ),
    "s_invoice": ("screenshot", "", "Screenshot text: Invoice 2291, total due 1,450.00 EUR, payment within 30 days."),
    "s_traceback": (
        "what is this",
        "",
        "Screenshot text: Traceback (most recent call last): TypeError: "
        "unsupported operand type(s) for +: 'int' and 'str' in auth.py line 42",
    ),
    "s_weather": (
        "image",
        "",
        "Screenshot text: Forecast Saturday heavy snow, minus eight degrees, wind 50 km/h, road closures expected.",
    ),
    "s_chart": ("image", "", "Screenshot text: Monthly active users 12,400 up 18 percent, churn 3.1 percent."),
    # comments
    "c_vpn": ("", "Connecting through the company VPN fixed it for me, the office network filters that port.", None),
    "c_reboot": ("", "Turning it off and on again cleared the stuck state, at least for now.", None),
    "c_docs": ("", "The manual explains this in the chapter about configuration files.", None),
    "c_thanks": ("", "Thank you so much, this saved my whole afternoon!", None),
}

# (query, kind, the key of the one right answer)
QUERIES: list[tuple[str, str, str]] = [
    ("auth token problem", "paraphrase", "login"),
    ("crustaceans losing their exoskeleton", "paraphrase", "molt"),
    ("separating lexer and syntax rules", "paraphrase", "parser"),
    ("process terminated because RAM exhausted", "paraphrase", "oom"),
    ("hostname lookup broken after network change", "paraphrase", "dns"),
    ("throttled for posting too often", "paraphrase", "ratelimit"),
    ("how long do we keep database snapshots", "paraphrase", "backup"),
    ("dates displayed in the wrong time zone", "paraphrase", "tz"),
    ("nondeterministic test failures on the build server", "paraphrase", "flaky"),
    ("application consumption keeps climbing until restart", "paraphrase", "leak"),
    ("transactions blocking each other forever", "paraphrase", "deadlock"),
    ("https certificate expired", "paraphrase", "cert"),
    ("storage full so writes rejected", "paraphrase", "disk"),
    ("slow page because of a full table scan", "paraphrase", "slowquery"),
    ("cross origin request rejected by the browser", "paraphrase", "cors"),
    ("accidentally committed merge conflict markers", "paraphrase", "merge"),
    ("making filter coffee before email", "paraphrase", "coffee"),
    ("baking with a wild yeast culture", "paraphrase", "sourdough"),
    ("ran a full marathon", "paraphrase", "marathon"),
    ("growing vegetables on an apartment balcony", "paraphrase", "garden"),
    ("adopted a young cat", "synonym", "cat"),
    ("drew a won game of chess", "synonym", "chess"),
    ("sore fingers from guitar practice", "synonym", "guitar"),
    ("hike cancelled due to bad weather", "synonym", "rain"),
    ("relocating to a flat without a lift", "synonym", "moving"),
    ("saving money with a budget sheet", "synonym", "budget"),
    ("insomnia in the middle of the night", "synonym", "sleep"),
    ("trying a plant based diet", "synonym", "diet"),
    ("holiday at the seaside", "synonym", "vacation"),
    ("got a job offer after interviews", "synonym", "interview"),
    ("chain of thought prompting", "synonym", "llm"),
    ("semantic similarity search over my notes", "synonym", "embedding"),
    ("agent repeating the same action endlessly", "synonym", "agentloop"),
    ("model forgets the beginning of long chats", "synonym", "context"),
    ("chatbot fabricating references", "synonym", "hallucination"),
    ("fine-tuning a model on customer support data", "synonym", "finetune"),
    ("benchmark to grade chatbot releases", "synonym", "eval"),
    ("email addresses leaked into log files", "synonym", "privacy"),
    ("heating bill doubled", "synonym", "energy"),
    ("rooftop solar panels", "synonym", "solar"),
    ("why is staging deployment stuck", "transcript", "v_standup"),
    ("shopping list with lemons", "transcript", "v_groceries"),
    ("dental appointment rescheduled", "transcript", "v_dentist"),
    ("singing for grandmother's birthday", "transcript", "v_birthday"),
    ("checkout broken on mobile", "transcript", "v_bug"),
    ("the screenshot where the build failed", "transcript", "s_buildfail"),
    ("invoice amount due", "transcript", "s_invoice"),
    ("TypeError in auth.py", "transcript", "s_traceback"),
    ("snow storm forecast for the weekend", "transcript", "s_weather"),
    ("user growth and churn numbers", "transcript", "s_chart"),
    ("electic car charging at home", "typo", "ev"),
    ("comuting by bycicle", "typo", "bike"),
    ("sleeper trian to rome", "typo", "train"),
    ("volcanoe ash flights", "typo", "volcano"),
    ("earthqake at dawn", "typo", "earthquake"),
    ("river floding after storms", "typo", "flood"),
    ("company vpn fixed the connection", "exact", "c_vpn"),
    ("turning it off and on again", "exact", "c_reboot"),
    ("configuration files chapter in the manual", "exact", "c_docs"),
    ("Login credential expired", "exact", "login"),
]

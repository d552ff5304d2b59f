//! Micro-benchmarks of the analysis crate: each language chain over a
//! paragraph of its language (warm: the stem cache has seen the words; cold:
//! a fresh analyzer clone per run), the bare tokenizer, Arabic normalization, and
//! the glossary (document tagging and query expansion).
//!
//! Run: `cargo bench --bench analyzers` (add `-- --quick` for a fast pass).
//! Each timed loop checks it did the work (token or match counts), so a
//! broken chain cannot look fast.

use analysis::{analyzer, normalize_arabic, CpTokenizer, Glossary, Lang};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// One helpdesk-style paragraph per language (written for this bench).
const TEXTS: [(Lang, &str); 5] = [
    (
        Lang::En,
        "How should we organise case management for unaccompanied and separated children \
         arriving at the border? The CPIMS+ rollout is delayed, so caseworkers record \
         referrals on paper. We follow the Child Protection Minimum Standards (CPMS) and the \
         inter-agency SOPs, but family tracing and reunification takes months. Children's \
         safe spaces are overcrowded and the 5W matrix shows gaps in psychosocial support.",
    ),
    (
        Lang::Fr,
        "Comment organiser la gestion de cas des enfants non accompagnés et séparés qui \
         arrivent à la frontière ? Le déploiement du CPIMS+ est retardé : les travailleurs \
         sociaux notent les référencements sur papier. Nous suivons les standards minimums \
         pour la protection de l’enfance et les procédures opérationnelles standard, mais la \
         recherche et réunification familiales prend des mois dans cette situation d'urgence.",
    ),
    (
        Lang::Es,
        "¿Cómo organizamos la gestión de casos de niños, niñas y adolescentes no acompañados \
         y separados que llegan a la frontera? El despliegue del CPIMS+ está retrasado y las \
         trabajadoras sociales registran las derivaciones en papel. Seguimos las normas \
         mínimas para la protección de la niñez, pero la búsqueda y reunificación familiar \
         tarda meses y los espacios amigables para la niñez están saturados.",
    ),
    (
        Lang::Ar,
        "كيف ننظم إدارة الحالات للأطفالِ غير المصحوبين والمنفصلين عن ذويهم الذين يصلون إلى \
         الحدود؟ تأخر تشغيل نظام CPIMS+ لذلك يسجل الأخصائيون الاجتماعيون الإحالات على الورق. \
         نتبع المعايير الدنيا لحماية الطفل وإجراءات التشغيل الموحدة، لكن البحث عن الأسر ولم \
         شملها يستغرق أشهراً، والمساحات الصديقة للطفل مكتظة، وحمايـــة الأطفال أولوية.",
    ),
    (
        Lang::Und,
        "CPIMS+ / UASC / ENA / NNA — gestion de cas, case management, إدارة الحالات, \
         gestión de casos; 5W 2024-03 U.A.S.C. l'enfance الأطفالُ niños.",
    ),
];

const QUERIES: [&str; 6] = [
    "UASC",
    "gestion de cas",
    "إدارة الحالات",
    "ninos no acompanados frontera",
    "how to refer a child to MHPSS services",
    "quarterly budget spreadsheet",
];

fn bench_analyzers(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    for (lang, text) in TEXTS {
        let mut a = analyzer(lang);
        let expected = {
            let mut s = a.token_stream(text);
            let mut n = 0;
            while s.advance() {
                n += 1;
            }
            n
        };
        assert!(expected > 10, "{lang}: {expected} tokens");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("chain", lang.code()), text, |b, text| {
            b.iter(|| {
                let mut s = a.token_stream(black_box(text));
                let mut n = 0;
                while s.advance() {
                    n += 1;
                }
                assert_eq!(n, expected);
            })
        });
        // A fresh clone per run: the stem cache is cold (first sight of
        // every word), the worst case for indexing.
        group.bench_with_input(
            BenchmarkId::new("chain_cold", lang.code()),
            text,
            |b, text| {
                b.iter(|| {
                    let mut cold = a.clone();
                    let mut s = cold.token_stream(black_box(text));
                    let mut n = 0;
                    while s.advance() {
                        n += 1;
                    }
                    assert_eq!(n, expected);
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("tokenizer", lang.code()),
            text,
            |b, text| {
                let mut t = CpTokenizer::default();
                b.iter(|| {
                    let mut s = t.token_stream(black_box(text));
                    let mut n = 0;
                    while s.advance() {
                        n += 1;
                    }
                    assert!(n >= expected);
                })
            },
        );
    }
    let (_, arabic) = TEXTS[3];
    group.throughput(Throughput::Bytes(arabic.len() as u64));
    group.bench_function("normalize_arabic", |b| {
        b.iter(|| {
            let out = normalize_arabic(black_box(arabic));
            assert!(out.len() < arabic.len());
        })
    });
    group.finish();
}

fn bench_glossary(c: &mut Criterion) {
    let glossary = Glossary::builtin();
    let mut group = c.benchmark_group("glossary");
    for (lang, text) in TEXTS {
        let expected = glossary.concepts_in(lang, text).len();
        assert!(expected >= 3, "{lang}: {expected} concepts");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("concepts_in", lang.code()),
            text,
            |b, text| {
                b.iter(|| assert_eq!(glossary.concepts_in(lang, black_box(text)).len(), expected))
            },
        );
    }
    group.throughput(Throughput::Elements(1));
    for query in QUERIES {
        let expected = glossary.expand(query).len();
        group.bench_with_input(BenchmarkId::new("expand", query), query, |b, query| {
            b.iter(|| assert_eq!(glossary.expand(black_box(query)).len(), expected))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_analyzers, bench_glossary);
criterion_main!(benches);

/**
 * Name pools. Estonian-speaking and Russian-speaking Estonia name their
 * children differently, and Russian family names are gendered (Ivanov /
 * Ivanova), so names are drawn by language and sex. A few foreign names carry
 * apostrophes on purpose: they exercise COPY escaping and GraphQL output.
 */
import type { Random } from './random.ts';

export type Sex = 'F' | 'M';
export type Language = 'et' | 'ru' | 'en';

const words = (text: string): readonly string[] => text.trim().split(/\s+/);

const ESTONIAN_FEMALE = words(`
  Mari Kadri Maria Anna Liis Laura Kristiina Anu Tiina Katrin Piret Kersti Ene Malle Eha Sirje Tiiu Helgi Aino Helju
  Linda Sofia Mia Emma Eliise Hanna Lisandra Marta Mirtel Grete Kätlin Kaisa Triin Kai Merike Margit Ülle Reet Aili Ly
  Marju Külli Siiri Evelin Jaanika Kristi Kertu Keiu Liisa Maarja Mariliis Helena Elisabeth Eva Sandra Kaia Karmen
  Kätriin Annika Merilin Maiu Tuuli Pille Eda Leida Salme Vaike Aime Asta Hilja Meeri Milvi Õie Hele Heli Inga Riina
  Urve Viive Airi Tiia Sirli Signe Moonika Egle Kadi Marje Anneli Krista Elo Brigitta Lenna Nora Lisette Amalie Olivia
  Loore Adeele Paula Saskia Mirjam Hedi Helen Ragne Gerli Birgit Kaire Maire Imbi Laine Luule Elvi Ellen Marika Liina
  Anna-Liisa Mari-Liis Hanna-Maria Getter Kelli Kerli Merle Pärja Reelika Rita Sigrid Silvia Terje Tuuli Vilve Ilona
`);
const ESTONIAN_MALE = words(`
  Jaan Andres Toomas Peeter Mart Tõnu Rein Tiit Mati Jüri Aivar Indrek Margus Priit Urmas Tarmo Raivo Heino Enn Ants
  Arvo Kalev Hillar Kalju Villu Tanel Martin Marko Kristjan Rasmus Robin Oliver Romet Sander Karl Kaspar Markus Mattias
  Hugo Oskar Henri Robert Mihkel Siim Ott Kevin Rene Janek Erik Jaanus Taavi Madis Lauri Alar Argo Meelis Vello Ülo Raul
  Rainer Rando Sten Tõnis Märt Joosep Jakob Artur Aleksander Elias Tristan Gregor Kristofer Johannes Lukas Uku Paul Georg
  Herman Teet Lembit Valdo Heiki Erki Kaido Kaarel Karl-Erik Hans Mikk Joonas Kermo Ahto Allan Andrus Ilmar Jaak Kalmer
  Kuldar Lennart Olev Paavo Reigo Riho Sulev Taivo Uno Vahur Veiko Viljar Endel Elmar Harri Hendrik Jarmo Kauri Kristo
`);
const RUSSIAN_FEMALE = words(`
  Jelena Olga Tatjana Natalja Svetlana Irina Galina Ljudmila Anastassia Jekaterina Julia Marina Valentina Nadežda Ksenia
  Darja Viktoria Alina Polina Sofia Vera Ljubov Nina Oksana Kristina Anna Maria Jana Diana Veronika Larissa Tamara Zoja
  Raissa Alla Inna Margarita Uljana Arina Jevgenia Jelizaveta Valeria Milana Varvara Angelina Alisa Jaroslava Žanna
`);
const RUSSIAN_MALE = words(`
  Sergei Aleksandr Andrei Dmitri Vladimir Aleksei Igor Nikolai Juri Mihhail Ivan Maksim Artjom Denis Roman Viktor Pavel
  Oleg Konstantin Vitali Jevgeni Anatoli Boriss Gennadi Kirill Daniil Nikita Ilja Timur Vadim Valeri Stanislav Anton
  Ruslan Arkadi Grigori Leonid Vassili Vjatšeslav Jaroslav Matvei Jegor Gleb Bogdan Semjon Fjodor German Eduard Rostislav
`);
const ESTONIAN_FAMILY = words(`
  Tamm Saar Sepp Mägi Kask Kukk Rebane Ilves Pärn Koppel Lepik Kuusk Karu Lepp Raudsepp Vaher Kallas Luik Kõiv Oja Kivi
  Mets Põder Lill Jõgi Kangur Teder Laur Kuusik Org Ots Tõnisson Järv Aavik Laas Hunt Lõhmus Mänd Kaasik Paju Rand Kütt
  Tamme Valk Väli Kruus Vares Toom Nurk Sarapuu Kull Uibo Pihlak Sild Laine Kuus Ploom Liiv Tali Tiits Kaljuste Saks
  Kiis Rosin Talts Mölder Kolk Lind Unt Arro Tooming Kurg Kaur Kalju Lumi Kirs Aas Allik Reinsalu Jürgenson Hallik Sulg
  Ruus Veski Mõttus Vahtra Kõrv Mitt Pruul Tuisk Leht Raud Vaino Künnapuu Nõmm Põld Soosaar Luts Piir Randmaa Pärtel
  Kalda Kaljula Kuld Sillaots Palm Heinsalu Aru Treial Kasemets Jõesaar Kaljurand Pihl Vill Lukk Mürk Hein Sikk Tomson
  Jakobson Mihkelson Andresson Peterson Martinson Jõeäär Alev Eller Kasak Kivistik Lehtmets Männik Nõmmik Oras Parts
  Puusepp Rätsep Kangro Kaljumäe Kõrge Laanemets Lehiste Metsaots Must Nurme Orav Põldma Raidma Saarepuu Sepping Soo
  Suurkask Tammik Tammsaar Toots Tuul Vaik Vainu Varik Veerme Viik Virk Vool Vähi Õunapuu Pehk Roos Kask-Tamm
`);
/** Male forms; the female form is derived (Ivanov -> Ivanova, Nikitin -> Nikitina, Bondarenko unchanged). */
const RUSSIAN_FAMILY_MALE = words(`
  Ivanov Smirnov Kuznetsov Popov Vassiljev Petrov Sokolov Mihhailov Novikov Fjodorov Morozov Volkov Aleksejev Lebedev
  Semjonov Jegorov Pavlov Kozlov Stepanov Nikolajev Orlov Andrejev Makarov Nikitin Zahharov Zaitsev Solovjov Borissov
  Jakovlev Grigorjev Romanov Vorobjov Sergejev Kuzmin Frolov Aleksandrov Dmitrijev Koroljov Gussev Kisseljov Iljin
  Maksimov Poljakov Sorokin Vinogradov Kovaljov Belov Medvedev Antonov Tarassov Žukov Baranov Filippov Komarov Davõdov
  Shevtšenko Kovalenko Bondarenko Tkatšenko Kravtšenko Savtšenko Melnik Boiko Kovaltšuk Gontšarov Tšernov Tšistjakov
`);
const FOREIGN_FEMALE = words(`Emily Sarah Aoife Siobhan Chloe Olivia Laura Anna Sofia Chiara Giulia Marie Katarzyna Aino Maija`);
const FOREIGN_MALE = words(`John James Sean Patrick Liam Daniel Thomas Michael Marco Luca Pierre Jan Piotr Matti Juhani`);
const FOREIGN_FAMILY = words(`
  O'Brien O'Connor O'Neill O'Sullivan D'Souza D'Angelo McAllister Murphy Smith Jones Taylor Müller Schmidt Virtanen
  Korhonen Nieminen Mäkinen Kowalski Nowak Rossi Bianchi Dubois Lefèvre García Fernández Bērziņš Ozoliņš Kazlauskas
`);

const ruFeminine = (name: string) => (/(ov|ev|in)$/.test(name) ? `${name}a` : name);

/**
 * A family name for a new household. Russian names come in their male form;
 * familyNameFor() gives each member the form for their sex.
 */
export function drawFamilyName(random: Random, language: Language): string {
  if (language === 'ru') return random.pick(RUSSIAN_FAMILY_MALE);
  if (language === 'en') return random.pick(FOREIGN_FAMILY);
  return random.pick(ESTONIAN_FAMILY);
}

/** The form of a household's family name for one member (the wife or daughter of an Ivanov is an Ivanova). */
export function familyNameFor(name: string, language: Language, sex: Sex): string {
  return language === 'ru' && sex === 'F' ? ruFeminine(name) : name;
}

export function drawGivenName(random: Random, language: Language, sex: Sex): string {
  if (language === 'ru') return random.pick(sex === 'F' ? RUSSIAN_FEMALE : RUSSIAN_MALE);
  if (language === 'en') return random.pick(sex === 'F' ? FOREIGN_FEMALE : FOREIGN_MALE);
  return random.pick(sex === 'F' ? ESTONIAN_FEMALE : ESTONIAN_MALE);
}

/** Estonian letters folded to ASCII for e-mail addresses. */
const ASCII_FOLD: Record<string, string> = { õ: 'o', ä: 'a', ö: 'o', ü: 'u', š: 's', ž: 'z', ё: 'e', ē: 'e', ņ: 'n', è: 'e', á: 'a', í: 'i', é: 'e' };

export function emailLocalPart(givenName: string, familyName: string): string {
  return `${givenName}.${familyName}`
    .toLowerCase()
    .replace(/[^a-z.-]/g, (ch) => ASCII_FOLD[ch] ?? '');
}

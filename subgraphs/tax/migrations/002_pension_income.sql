-- Pensions are taxable income (EE Income Tax Act § 19): the register holds
-- them beside earned income, so a household's income last year includes them.
ALTER TABLE income DROP CONSTRAINT income_kind_check;
ALTER TABLE income ADD CONSTRAINT income_kind_check
  CHECK (kind IN ('employment', 'self_employment', 'capital', 'pension'));

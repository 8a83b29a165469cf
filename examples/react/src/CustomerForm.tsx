import { useState } from 'react';

const STATUSES = ['Lead', 'Qualified', 'Customer', 'At risk'];

/**
 * A customer's form as a React app writes it: controlled inputs (`value` + `onChange`). The
 * collaborative form wraps it with `controlled`, so the record it writes into the fields (on load
 * and on every colleague's save) reaches this component's state through `onChange`, as typing
 * does; without it, the next render would put the old state back.
 */
export function CustomerForm() {
  const [phone, setPhone] = useState('');
  const [status, setStatus] = useState('');
  return (
    <crm-collaborative-form entityType="customer" entityId="42" controlled>
      <form className="record">
        <label htmlFor="phone">Phone</label>
        <input id="phone" name="phone" value={phone} onChange={(e) => setPhone(e.target.value)} />
        <label htmlFor="status">Status</label>
        <select id="status" name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">–</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="submit">Save</button>
      </form>
      <p>
        In React&apos;s state: <output id="form-state">{JSON.stringify({ phone, status })}</output>
      </p>
    </crm-collaborative-form>
  );
}

import { describe, expect, it } from 'vitest';
import {
  assertPublicUrl,
  classifyAddress,
  isPrivateAddress,
  PrivateAddressError,
} from '../../src/net/address-guard.js';
import { guardFetch } from '../../src/net/guarded-fetch.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::10.1.2.3', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700:4700:0:0:0:0:1111', 'public'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
    expect(isPrivateAddress(ip)).toBe(cls !== 'public');
  });

  it.each([
    'localhost',
    'example.com',
    '1.2.3',
    '01.2.3.4',
    '256.1.1.1',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '',
  ])('%j is not an IP literal', (text) => {
    expect(classifyAddress(text)).toBeUndefined();
    expect(isPrivateAddress(text)).toBe(false);
  });
});

const resolve = async (host: string) =>
  ({
    'mixed.example': ['93.184.216.34', '10.0.0.5'],
    'public.example': ['93.184.216.34', '2606:2800::1'],
  })[host] ?? [];

describe('assertPublicUrl', () => {
  it.each([
    ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080: 127.0.0.1 is a loopback address'],
    ['http://10.0.0.1/', 'http://10.0.0.1: 10.0.0.1 is a private address'],
    [
      'http://169.254.169.254/latest/meta-data/',
      'http://169.254.169.254: 169.254.169.254 is a link-local address',
    ],
    ['http://0x7f.1/', 'http://127.0.0.1: 127.0.0.1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]: [::ffff:7f00:1] is a loopback address'],
    ['http://[fd00::1]:9000/', 'http://[fd00::1]:9000: [fd00::1] is a unique-local address'],
    ['http://0.0.0.0/', 'http://0.0.0.0: 0.0.0.0 is an unspecified address'],
    ['http://localhost:3000/hook', 'http://localhost:3000: localhost is a loopback address'],
    ['https://api.localhost./', 'https://api.localhost.: api.localhost is a loopback address'],
    [
      'https://mixed.example/hook',
      'https://mixed.example: mixed.example resolves to 10.0.0.5, a private address',
    ],
  ])('refuses %s', async (url, why) => {
    const error = await assertPublicUrl(url, { resolve }).catch((e) => e);
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect(error.message).toBe(`refusing ${why} (set allowPrivateAddresses: true to allow it)`);
    expect(error.retryable).toBe(false);
  });

  it('lets public destinations through, and anything when allowed', async () => {
    await expect(assertPublicUrl('https://public.example/x', { resolve })).resolves.toBeUndefined();
    await expect(assertPublicUrl('https://8.8.8.8/', {})).resolves.toBeUndefined();
    await expect(
      assertPublicUrl('http://127.0.0.1/', { allowPrivate: true }),
    ).resolves.toBeUndefined();
  });
});

describe('guardFetch', () => {
  /** An injected inner fetch that answers from a script and records what it was asked. */
  function scripted(answers: Response[]) {
    const seen: { url: string; init?: RequestInit }[] = [];
    const inner = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), init });
      return answers.shift() ?? new Response('end');
    }) as typeof fetch;
    return { inner, seen };
  }
  const redirect = (status: number, location: string) =>
    new Response(null, { status, headers: { location } });

  it('checks every redirect hop', async () => {
    const { inner, seen } = scripted([redirect(302, 'http://169.254.169.254/latest/meta-data/')]);
    const guarded = guardFetch(inner, { resolve });
    await expect(guarded('https://public.example/hook')).rejects.toThrow(
      'refusing http://169.254.169.254: 169.254.169.254 is a link-local address',
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.init?.redirect).toBe('manual');
  });

  it('follows public redirects like fetch: 303 becomes GET, credentials stay on their origin', async () => {
    const { inner, seen } = scripted([
      redirect(307, '/again'),
      redirect(303, 'https://8.8.8.8/done'),
    ]);
    const guarded = guardFetch(inner, { resolve });
    const response = await guarded('https://public.example/hook', {
      method: 'POST',
      body: '{}',
      headers: {
        authorization: 'Bearer x',
        'content-type': 'application/json',
        'user-agent': 'fp',
      },
    });
    expect(await response.text()).toBe('end');
    expect(seen.map((s) => [s.url, s.init?.method])).toEqual([
      ['https://public.example/hook', 'POST'],
      ['https://public.example/again', 'POST'],
      ['https://8.8.8.8/done', 'GET'],
    ]);
    expect(new Headers(seen[1]!.init?.headers).get('authorization')).toBe('Bearer x');
    expect([...new Headers(seen[2]!.init?.headers).keys()]).toEqual(['user-agent']);
  });

  it('passes manual redirects through untouched, and returns inner itself when allowed', async () => {
    const { inner, seen } = scripted([redirect(302, 'http://127.0.0.1/')]);
    const response = await guardFetch(inner, { resolve })('https://public.example/', {
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(seen).toHaveLength(1);
    expect(guardFetch(inner, { allowPrivate: true })).toBe(inner);
  });
});
